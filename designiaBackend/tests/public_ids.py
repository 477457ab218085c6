"""The contract's id rule (§4.2, C21), as a check any test can run over a JSON body or a socket frame.

Every id the web client receives is a JSON string, except category ids: a key named ``id``,
``*_id`` or ``*_ids`` whose value is a number fails, unless it names a category.
"""

CATEGORY_KEYS = {"category_id", "category_ids", "parent", "parent_id"}


def _is_id_key(key):
    return key == "id" or key.endswith(("_id", "_ids"))


def numeric_ids(payload, path="$", inside_category=False):
    """The JSON paths in ``payload`` where an id that must be a string is a number."""
    found = []
    if isinstance(payload, dict):
        inside_category = inside_category or payload.get("type") == "category"  # autocomplete
        for key, value in payload.items():
            child = f"{path}.{key}"
            is_category = inside_category or key in ("category", "categories")
            if _is_id_key(key) and key not in CATEGORY_KEYS and not is_category:
                values = value if isinstance(value, list) else [value]
                if any(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
                    found.append(child)
            found += numeric_ids(value, child, is_category)
    elif isinstance(payload, list):
        for item in payload:
            found += numeric_ids(item, f"{path}[]", inside_category)
    return found
