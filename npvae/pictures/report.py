"""Pictures of a trained model, and what each one teaches.

``npvae.pictures.plots`` draws arrays; this module decides *which* arrays to draw for a model. Each
function runs the model on some data, hands the result to one ``plot_*`` function and
returns the path of the PNG it wrote. A VAE has two halves, and each picture looks at one
of them, or both:

- ``save_manifold``: the decoder alone. Codes on a grid over two latent dimensions (the
  others held at 0, the prior's mean), each decoded. Smooth morphing from digit to digit
  means the decoder learned a continuous space, not a lookup table.
- ``save_scatter``: the encoder alone. Each test image's mean code ``z_mean``, coloured by
  its label. Digits cluster although the encoder never saw a label, and the KL term keeps
  the cloud near N(0, I). The dashed square is the window the manifold decodes. A code of
  more than two numbers is shown along its first two principal components (the plane
  in which the codes spread most) unless two dimensions are asked for.
- ``save_reconstructions``: both halves. Inputs above ``decoder(z_mean)``: what survives the
  squeeze through a few numbers (shape, slant) and what does not (fine detail). The mean
  code is used, not a sample, so the picture is the same every time.
- ``save_samples``: the decoder on codes drawn from the prior N(0, I). Good samples show
  that the encoder filled the region where the prior puts its mass (the KL term's job).
- ``save_label_grid`` (a conditional model): one row per label, the same code down each
  column. The label picks the digit; what stays the same down a column (slant, thickness,
  width) is what the code holds.
- ``save_interpolation``: a straight line between the mean codes of two images, decoded.
  The in-between images are plausible digits only if the space between codes is used.
- ``save_concept``: codes moved along a concept vector (the mean code of images with an
  attribute minus that of images without it), decoded: does the attribute grow, and
  does the rest stay?
- ``plots.plot_history`` (drawn by the training loop, ``loss_curve.png``): the loss and its
  two terms, the tug of war between "copy the input" (reconstruction) and "keep codes
  close to the prior" (KL).

Sizes and paths are checked before the model runs, so a bad one fails at once.
"""
import numpy as np
from tqdm import tqdm

from npvae.datasets.pixels import as_float_images
from npvae.evaluation import EVAL_BATCH
from npvae.models.base import in_batches
from npvae.pictures import concepts, plots, png
from npvae.pictures.inputs import check_dims, count

ENCODE_BATCH = EVAL_BATCH  # images per encoder pass, as in evaluation: bounds memory
# Codes per decoder pass: the last convolution's work array grows with the image's pixels
# times the batch, so a manifold of large colour images is decoded a few codes at a time.
DECODE_BATCH = 32
PROGRESS_AFTER = 3  # seconds: a shorter wait needs no bar
# What a 2-number code cannot keep apart, said where the user looks: as what it does at
# best, since a short run's reconstructions are blurred blobs that show no digit at all.
TWO_DIM_NOTE = ("latent_dim 2: at best, a 2-number code keeps shape and slant, "
                "blurs 4 with 9, 5 with 3")  # on MNIST


def save_manifold(model, path, n=15, dims=(0, 1), show=False, label=None):
    """Decode an n x n grid of codes over latent ``dims`` (other dimensions 0); tile them.
    A conditional model decodes every code with ``label``."""
    return plots.plot_manifold(decoder(model, label), model.config["latent_dim"], path,
                               n=n, dims=dims, show=show)


def save_scatter(model, x_test, y_test, path, dims=None, show=False, label_names=None):
    """Plot the encoder's mean code of every image in x_test, coloured by its label
    (``y_test`` None: one colour): latent ``dims``, or for ``dims`` None the two
    dimensions of a 2-number code, or the first two principal components of a longer one."""
    png.png_path(path)
    latent_dim = model.config["latent_dim"]
    if dims is not None or latent_dim <= 2:
        dims = check_dims((0, 1) if dims is None else dims, latent_dim)
        return plots.plot_scatter(encode_means(model, x_test, y_test), y_test, path,
                                  dims=dims, show=show, label_names=label_names)
    components, variance = principal_components(encode_means(model, x_test, y_test))
    return plots.plot_scatter(components, y_test, path, show=show, label_names=label_names,
                              variance=variance)


def principal_components(z, k=2):
    """The codes z (N, D) along their first ``k`` principal components, (N, k), and the
    share of the codes' variance along each, (k,).

    With the centred codes factored as ``z - mean = U S V^T`` (an SVD), the rows of V^T
    are the directions of most spread, in order, and the variance along row i is
    proportional to ``S[i]**2``. An SVD may flip a direction's sign; each is turned so
    that its largest entry is positive, so the same codes always give the same picture.
    """
    k = count("k", k, maximum=z.shape[1])
    centred = z.astype(np.float64) - z.mean(axis=0, dtype=np.float64)     # (N, D)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)                # vt (D, D)
    directions = vt[:k] * np.sign(vt[np.arange(k), np.abs(vt[:k]).argmax(axis=1)])[:, None]
    total = np.sum(s ** 2)
    variance = s[:k] ** 2 / total if total > 0 else np.zeros(k)
    return centred @ directions.T, variance


def save_reconstructions(model, x, path, n=10, *, rng, show=False, mnist=True, labels=None):
    """Draw ``n`` images picked from x by ``rng`` above their reconstructions decoder(z_mean);
    ``mnist`` False: other images, of which the note on MNIST's digits says nothing. A
    conditional model encodes and decodes each image with its label from ``labels``."""
    png.png_path(path)
    n = count("n", n, maximum=len(x))
    picked = np.sort(rng.choice(len(x), size=n, replace=False))
    originals = as_float_images(x[picked], model.dtype)
    given = model.condition(None if labels is None else labels[picked], n)   # None: a VAE's
    reconstructions = decode(model, encode_means(model, originals, given), given)
    note = TWO_DIM_NOTE if mnist and model.config["latent_dim"] == 2 else ""
    return plots.plot_reconstructions(originals, reconstructions, path, note=note, show=show)


def save_samples(model, path, n=100, *, rng, show=False, label=None, label_names=None):
    """Decode ``n`` codes z ~ N(0, I) drawn from ``rng``; at most ten to a row, the rows
    even (``plots.balanced_columns``). A conditional model decodes them all with ``label``."""
    png.png_path(path)
    n = count("n", n)
    decode = decoder(model, label)
    z = rng.standard_normal((n, model.config["latent_dim"]), dtype=np.float32)
    name = None if label is None else (label_names[label] if label_names else label)
    return plots.plot_samples(decode(z), path, ncols=plots.balanced_columns(n), show=show,
                              label=name)


def save_label_grid(model, path, n=10, *, rng, show=False, label_names=None):
    """A conditional model's images, one row per label, the same code z ~ N(0, I) down
    each of the ``n`` columns: along a row the code changes, down a column the label."""
    png.png_path(path)
    n = count("n", n)
    classes = model.num_classes
    z = rng.standard_normal((n, model.config["latent_dim"]), dtype=np.float32)   # (n, D)
    images = model.generate(np.tile(z, (classes, 1)), np.repeat(np.arange(classes), n),
                            DECODE_BATCH)                                      # (K*n, H, W, C)
    return plots.plot_rows(images, label_names or list(range(classes)), path, show=show,
                           title="decoder(z, label): one row per label, one z per column\n"
                                 "the label says which digit, the code how it is drawn")


def save_interpolation(model, x_a, x_b, path, steps=10, show=False):
    """Decode ``steps`` codes evenly spaced on the line from z_mean(x_a) to z_mean(x_b).

    x_a, x_b: one image each, (H, W, C).
    """
    png.png_path(path)
    steps = count("steps", steps, minimum=2)
    z_a, z_b = encode_means(model, np.stack([x_a, x_b]))        # (D,) each
    t = np.linspace(0, 1, steps, dtype=z_a.dtype)[:, None]      # (steps, 1)
    z = (1 - t) * z_a + t * z_b                                 # (steps, D)
    return plots.plot_interpolation(decoder(model)(z), path, show=show)


def save_concept(model, x, labels, path, attribute, n=6, steps=9, reach=1.0, *, rng,
                 show=False):
    """Find the concept vector of ``attribute`` from the codes of images x (N, H, W, C)
    (``npvae.pictures.concepts``), move the codes of ``n`` of them, picked by ``rng``, along it in
    ``steps`` steps from -reach to +reach times the vector, and draw one row per image.
    A conditional model encodes and decodes each image with its label from ``labels``.

    Returns (path, measured): ``measured`` holds the vector, its length, the attribute of
    every decoded image (n, steps) and the share of rows along which it grows at each step.
    """
    png.png_path(path)
    n, steps = count("n", n, maximum=len(x)), count("steps", steps, minimum=2)
    given = model.condition(labels, len(x))                                  # None: a VAE's
    codes = encode_means(model, x, given)                                    # (N, D)
    vector = concepts.concept_vector(codes, concepts.measure(x, attribute))  # (D,)
    picked = np.sort(rng.choice(len(x), size=n, replace=False))
    moved, t = concepts.walk(codes[picked], vector, steps, reach)            # (n*steps, D)
    images = decode(model, moved, None if given is None else np.repeat(given[picked], steps))
    values = concepts.measure(images, attribute).reshape(n, steps)
    share = concepts.monotone_rows(values)
    title = (f"Moving codes along the '{attribute}' vector: z + t v, t from {-reach:g} to "
             f"{reach:g}\n{attribute} grows at every step in {share:.0%} of the rows")
    names = [f"#{i}" for i in picked]
    path = plots.plot_rows(images, names, path, title=title, show=show)
    return path, {"vector": vector, "length": float(np.linalg.norm(vector)), "t": t,
                  "values": values, "monotone_share": share}


def decoder(model, label=None):
    """The function z (M, latent_dim) -> ``decode(model, z, labels)``, every code with
    ``label`` (a conditional model's; None for a VAE). A wrong label fails here, in one
    line naming --label, before anything is decoded."""
    one_label(model, label, 1)
    return lambda z: decode(model, z, one_label(model, label, len(z)))


def decode(model, z, labels=None):
    """``model.generate``, ``DECODE_BATCH`` codes at a time: z (M, latent_dim) and their
    labels (M,) (None for a VAE) to images (M, H, W, C) in [0, 1]. A decode that takes
    longer than ``PROGRESS_AFTER`` seconds (a manifold of 400 x 400 codes) shows a
    progress bar on stderr."""
    with tqdm(total=len(z), desc="decoding", unit="image", delay=PROGRESS_AFTER,
              leave=False, dynamic_ncols=True) as bar:
        def generate(part, given):
            images = model.generate(part, given, DECODE_BATCH)
            bar.update(len(images))
            return images
        return in_batches(generate, DECODE_BATCH, z, labels)


def one_label(model, label, n):
    """``label`` for each of ``n`` codes, (n,) (None: no labels), as the model checks them;
    a wrong one is a ValueError naming --label, the option that gives it."""
    try:
        return model.check_labels(None if label is None else np.full(n, label), n)
    except ValueError as error:
        raise ValueError(f"--label: {error}") from None


def encode_means(model, x, labels=None, batch_size=ENCODE_BATCH):
    """The encoder's mean codes z_mean (N, latent_dim) of images x (N, H, W, C): floats
    in [0, 1], or uint8 0..255, scaled a batch at a time. A conditional model encodes each
    image with its label from ``labels`` (N,); a VAE reads none, and sets them aside."""
    given = model.condition(labels, len(x), "the images to encode")
    model.check_images(as_float_images(x[:batch_size], model.dtype), "the images to encode")
    return in_batches(lambda batch, batch_labels: model.encode(
        as_float_images(batch, model.dtype), batch_labels)[0], batch_size, x, given)
