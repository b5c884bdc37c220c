// Placeholder until the dataset importers land.
