"""The exercises' stubs: each file is what ``npvae exercise start NAME`` copies into the
learner's folder, and a module that imports (every function raises NotImplementedError)."""
