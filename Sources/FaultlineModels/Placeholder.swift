// Placeholder so the target builds; replaced by the Models part.
