import itertools


def rle_encode(text: str) -> str:
    return "".join(f"{len(list(run))}{char}" for char, run in itertools.groupby(text))
