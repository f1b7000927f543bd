from typing import Any


def flatten(items: list[Any]) -> list[Any]:
    flat: list[Any] = []
    for item in items:
        if isinstance(item, list):
            flat.extend(flatten(item))  # pyright: ignore[reportUnknownArgumentType]
        else:
            flat.append(item)
    return flat
