"""Registry through which other apps add their data to a user's GDPR export and erase it on deletion.

Authentication never imports the other apps. Each app registers from its ``AppConfig.ready()``::

    from authentication import gdpr
    gdpr.register_exporter("orders", export_orders)      # callable(user) -> JSON-able value
    gdpr.register_eraser(erase_chat_messages)             # callable(user) -> None

Exporters run in the export task; erasers run inside the account-deletion transaction and must
keep records others rely on (e.g. orders' financial data) while removing personal data.
"""

import logging

logger = logging.getLogger(__name__)

# Sections the authentication app writes itself.
RESERVED_SECTIONS = frozenset({"generated_at", "account", "profile", "seller_applications"})

_exporters = {}
_erasers = []


def register_exporter(name, exporter):
    if not callable(exporter):
        raise TypeError("An exporter must be callable(user).")
    if name in RESERVED_SECTIONS:
        raise ValueError(f"The export section name {name!r} is reserved.")
    _exporters[name] = exporter


def register_eraser(eraser):
    if not callable(eraser):
        raise TypeError("An eraser must be callable(user).")
    if eraser not in _erasers:
        _erasers.append(eraser)


def registered_exporters():
    return dict(_exporters)


def collect_sections(user):
    """Every registered exporter's section, keyed by its name."""
    return {name: exporter(user) for name, exporter in sorted(_exporters.items())}


def run_erasers(user):
    for eraser in _erasers:
        eraser(user)
