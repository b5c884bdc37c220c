// Placeholder; replaced by the image codecs.
