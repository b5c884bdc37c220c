// Placeholder so the target builds; replaced by the Report part.
