"""The pictures of a model and what each teaches (``report``), how they are drawn
(``plots``) and look (``style``: greys, the prior's window, label colours, tiling), what
they accept (``inputs``), figure to PNG (``png``), the latent space forming as a GIF
(``animation``) and concept vectors and their walks (``concepts``)."""
