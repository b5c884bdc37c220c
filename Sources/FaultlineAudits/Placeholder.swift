// Placeholder so the target builds; replaced by the Audits part.
