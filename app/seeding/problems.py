"""How the seed validator reports a defect: file, record, field and what is wrong."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SeedProblem:
    """One defect in the seed files, located precisely enough to fix it."""

    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: record '{self.record}', field '{self.field}': {self.message}"


class SeedValidationError(Exception):
    """The seed files are invalid; nothing was written."""

    def __init__(self, problems: list[SeedProblem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems
