"""The tour: ``python -m demos``."""

from demos import chain_rule

if __name__ == "__main__":
    chain_rule.main([])
