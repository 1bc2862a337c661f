"""Running the DfE's published validators (csc-validator-be-903, csc-validator-be-cin) on a council's returns.

They pin pandas<2, so they live in a virtual environment of their own (`environment.py`, set up once by
`make validators`). `runner_903.py` and `runner_cin.py` run inside that environment as separate processes;
`summary.py` starts them and summarises what they found by rule and by child.
"""
