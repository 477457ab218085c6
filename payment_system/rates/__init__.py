"""Exchange rates: stored daily by a Celery task, read and converted without calling a provider."""
