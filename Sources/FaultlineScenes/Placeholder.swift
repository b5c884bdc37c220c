// Placeholder so the target builds; replaced by the Scenes part.
