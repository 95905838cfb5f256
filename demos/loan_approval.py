"""A neuron deciding a loan (seed 003): salary, credit score and age, weighted, plus a bias.

z = 0.8·0.6 + 0.9·0.3 + 0.5·0.1 + 0.2 = 1.0, and sigmoid(1.0) = 0.73: "73% chance of approval".

    python -m demos.loan_approval [--graph out/loan.svg]
"""

from __future__ import annotations

from collections.abc import Sequence

from autograd import Value
from demos._common import compare, draw_if_asked, heading, parser

FEATURES = {"salary": (0.8, 0.6), "credit_score": (0.9, 0.3), "age": (0.5, 0.1)}
BIAS = 0.2


def build() -> tuple[dict[str, Value], Value, Value]:
    """Inputs and weights as labelled Values; returns (leaves, z, approval)."""
    leaves: dict[str, Value] = {}
    for name, (x, w) in FEATURES.items():
        leaves[name] = Value(x, name)
        leaves[f"w_{name}"] = Value(w, f"w_{name}", param=True)
    leaves["b"] = Value(BIAS, "b", param=True)
    z = Value.dot([leaves[f"w_{n}"] for n in FEATURES], [leaves[n] for n in FEATURES], leaves["b"])
    z.label = "z"
    approval = z.sigmoid()
    approval.label = "approval"
    return leaves, z, approval


def run() -> dict[str, float]:
    """z, the approval probability, and how much each input moves it (d approval / d input)."""
    leaves, z, approval = build()
    approval.backward()
    result = {"z": z.data, "approval": approval.data}
    result.update({f"d_{n}": leaves[n].grad for n in FEATURES})
    return result


def main(argv: Sequence[str] | None = None) -> None:
    args = parser("loan_approval", __doc__).parse_args(argv)
    leaves, z, approval = build()
    approval.backward()
    print(heading("Loan approval with one neuron"))
    for name, (x, w) in FEATURES.items():
        print(f"  {name:<13} x = {x}   w = {w}")
    print(f"  bias b = {BIAS}\n")
    print(f"z = {z.data!r}")
    print(compare("z rounded to 2 places", f"{z.data:.2f}", "1.00"))
    print(f"approval = sigmoid(z) = {approval.data!r}")
    print(compare("approval rounded to 2 places", f"{approval.data:.2f}", "0.73"))
    if z.data != 1.0:
        print(
            f"(In floating point the four terms add up to {z.data!r}, not exactly 1.0: "
            "0.48, 0.27 and 0.05 have no exact binary form.)"
        )
    print("\nHow much the approval moves per unit of each input (d approval / d input):")
    for name in FEATURES:
        print(f"  {name:<13} {leaves[name].grad:.4f}")
    print("Salary has the largest weight, so it moves the decision most.")
    draw_if_asked(approval, args.graph)


if __name__ == "__main__":
    main()
