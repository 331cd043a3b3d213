"""Write the b2c-monthly example (seed 0) as CSV for ``weighted_nps.R``."""

import sys

import nps_toolkit as nps

if __name__ == "__main__":
    df = nps.example_survey("b2c-monthly")
    df[["recommend", "weight", "region"]].to_csv(sys.argv[1], index=False)
