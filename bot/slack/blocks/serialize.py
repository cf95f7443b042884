"""Block Kit objects to JSON dicts: what ``slack_sdk``'s ``to_dict()`` returns, validators
and all, without its cost.

``JsonObject.validate_json`` finds an object's validators by walking ``dir(self)`` and
reading every attribute (properties included) on every call: most of the time it took to
turn a message into a dict, which Steward does on every request and every App Home
publish. Here the validators of each class are found once; each object then runs exactly
those validators, in the same (alphabetical) order, raising the same
``SlackObjectFormationError``, and its dict is built as ``get_non_null_attributes`` builds
it. Classes that define their own ``to_dict`` (or the methods it relies on) are left to
it, or rendered once when they are constants (``rendered_once``). The attributes of each
class are read once too: slack_sdk's ``attributes`` properties build their set from the
parent's on every call, yet name the same fields for every object of a class. Only public
API is used. tests/slack/blocks/test_serialize.py holds this to slack_sdk's output for
every builder.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from slack_sdk.models.basic_objects import EMPTY_ALLOWED_TYPE_AND_PROPERTY_LIST, JsonObject

_OWN = ("to_dict", "validate_json", "get_non_null_attributes", "get_object_attribute")
_EMPTY_ALLOWED = frozenset(
    (entry["type"], entry["property"]) for entry in EMPTY_ALLOWED_TYPE_AND_PROPERTY_LIST
)
# per class: the names of its validators and its attributes (sorted), or None when the
# class serialises itself
_PLANS: dict[type, tuple[tuple[str, ...], tuple[str, ...]] | None] = {}
# id -> (the constant, kept alive so its id is never reused; its rendering)
_CONSTANTS: dict[int, tuple[JsonObject, dict[str, Any]]] = {}


def to_dict(obj: JsonObject) -> dict[str, Any]:
    """``obj.to_dict()``, the same dict and the same errors, faster."""
    plan = _plan(obj)
    if plan is None:
        constant = _CONSTANTS.get(id(obj))
        return constant[1] if constant is not None else obj.to_dict()
    validators, attributes = plan
    for name in validators:
        getattr(obj, name)()
    kind = getattr(obj, "type", None)
    result: dict[str, Any] = {}
    for key in attributes:
        value = getattr(obj, key, None)
        if value is None:
            continue
        if (kind, key) not in _EMPTY_ALLOWED and hasattr(value, "__len__") and not len(value):
            continue
        result[key] = _compatible(value)
    return result


def _compatible(value: Any) -> Any:
    """``get_non_null_attributes``' ``to_dict_compatible``."""
    if isinstance(value, (list, tuple)):
        return [_compatible(item) for item in value]
    if isinstance(value, JsonObject):
        return to_dict(value)  # compatible already
    serialise = getattr(value, "to_dict", None)
    if serialise is not None and callable(serialise):
        return {key: _compatible(item) for key, item in serialise().items()}
    return value


def rendered_once(obj: JsonObject) -> JsonObject:
    """Render a module-level constant now; ``to_dict`` gives that rendering for it from then
    on. For objects that serialise themselves (a ``ConfirmObject`` walks ``dir()`` for the
    dialog and each of its texts on every call). The rendering is shared: read it, never
    change it."""
    _CONSTANTS[id(obj)] = (obj, obj.to_dict())
    return obj


@cache
def _validators(cls: type) -> tuple[str, ...]:
    """The names of ``cls``'s validators, in ``validate_json``'s (alphabetical) order."""
    return tuple(
        name
        for name in dir(cls)
        if not name.startswith("__")
        and callable(member := getattr(cls, name, None))
        and hasattr(member, "validator")
    )


def _plan(obj: JsonObject) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    cls = type(obj)
    try:
        return _PLANS[cls]
    except KeyError:
        pass
    plan: tuple[tuple[str, ...], tuple[str, ...]] | None
    if any(getattr(cls, name) is not getattr(JsonObject, name) for name in _OWN):
        plan = None
    else:
        plan = (_validators(cls), tuple(sorted(obj.attributes)))
    _PLANS[cls] = plan
    return plan
