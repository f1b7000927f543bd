def two_sum(numbers: list[int], target: int) -> tuple[int, int]:
    seen: dict[int, int] = {}
    for j, number in enumerate(numbers):
        if target - number in seen:
            return seen[target - number], j
        seen.setdefault(number, j)
    raise ValueError("no pair")
