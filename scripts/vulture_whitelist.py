"""Names vulture (``make lint``, 80 % confidence) would call unused that a framework passes by name.

Each is a parameter of a method whose signature the framework fixes; the code does not need the
value. Add a name here only with the framework that calls it. Not imported by anything.
"""

# ruff: noqa: F821, B018
generator  # drf-spectacular's postprocessing hook (designiaBackend/api/schema.py)
bytes_data  # Channels' websocket receive(text_data=None, bytes_data=None) (designiaBackend/api/websocket.py)
accepted_media_type  # DRF BaseRenderer.render(data, accepted_media_type, renderer_context)
renderer_context  # ... (marketplace/catalog/http/renderers.py)
traceback  # the context manager protocol's __exit__(exc_type, exc, traceback) (marketplace/catalog/images)
extra_context  # Django Func.as_sql(compiler, connection, **extra_context) (marketplace/catalog/search)
media_type  # DRF BaseParser.parse(stream, media_type, parser_context) (payment_system/webhooks/apis.py)
parser_context  # ...
