"""The exercises' stubs with their explanations in Simplified Chinese: what
``npvae exercise start NAME --lang zh`` copies. The code is the English stub's
(tests/test_exercises_zh.py holds them equal), only docstrings and comments differ."""
