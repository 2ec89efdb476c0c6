"""Pages of the copy area: requests, drafts, brand voice and templates, the reviewer queue."""
