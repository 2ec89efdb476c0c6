"""The recommender on plain arrays (no Django): training, ranking with reasons, item lists,
offline evaluation. The services map database rows to array positions and back."""
