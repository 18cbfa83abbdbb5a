"""Which sampler the configuration asks for."""

from __future__ import annotations

from tracing.config import TracingConfig
from tracing.sampling.sampler import LocalSampler, Sampler
from tracing.wire.sampling_rules import default_rule_set, load_rules


def build_sampler(config: TracingConfig) -> Sampler:
    """Local rules (or sample-all); with centralized sampling they are the fallback.

    A bad rule file raises ``RuleFileError``: the server refuses to start and says why.
    """
    rules = load_rules(config.sampling_rules) if config.sampling_rules else default_rule_set()
    local = LocalSampler(rules)
    if not config.centralized_sampling:
        return local
    from tracing.sampling.centralized import CentralizedSampler

    return CentralizedSampler(config.daemon_address, fallback=local)
