"""``python -m autograd``: the command line (:mod:`autograd.cli`)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
