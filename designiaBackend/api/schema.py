"""OpenAPI post-processing: every operation documents the project's error responses.

The exception handler renders every 4xx/5xx in one shape (designiaBackend.api.exceptions); this
hook adds that shape as a component and declares the error statuses an operation can answer
with, so clients (and the schemathesis run in the test suite) can rely on the schema.
"""

ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "Every error. Non-validation errors carry `detail` (human text), `error` (the same text or a "
        "machine code) and `code` (stable machine code). Validation errors (400) carry DRF field "
        "lists keyed by field name (`non_field_errors` for the whole body) and `code: invalid`."
    ),
    "properties": {
        "detail": {"type": "string"},
        "error": {"type": "string"},
        "code": {},
        "non_field_errors": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": True,
}
COMMON_ERRORS = {
    "400": "Invalid input.",
    "401": "Missing, invalid or expired access token.",
    "403": "Not allowed.",
    "404": "Not found.",
    "405": "Method not allowed.",
    "429": "Too many requests.",
}
WRITE_ERRORS = {"409": "Conflicts with the current state.", "415": "Unsupported media type."}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            errors = dict(COMMON_ERRORS)
            if method in WRITE_METHODS:
                errors.update(WRITE_ERRORS)
            for status, description in errors.items():
                operation["responses"].setdefault(
                    status,
                    {"description": description, "content": {"application/json": {"schema": reference}}},
                )
    return result
