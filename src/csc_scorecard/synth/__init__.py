"""A synthetic local authority that writes the same real formats the sources read.

    from csc_scorecard.synth import generate, parse_years
    result = generate("335", parse_years("2013-14:2016-17"), seed=1, out=Path("synthetic"))

Volumes are calibrated to the LA's published figures (see calibration.py); ground_truth.json holds the
indicators computed from the simulation itself (truth.py), for differential tests against the engine.
"""

from .generate import SynthResult, generate, parse_years

__all__ = ["SynthResult", "generate", "parse_years"]
