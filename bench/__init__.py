"""The benchmark: a district-scale database, the app under gunicorn, wrk on loopback.

`bin/bench` runs it (README "Benchmark"). Figures are ratios to a bare Flask
page served by the same gunicorn in the same run (bench/baseline.py), because
absolute times on a shared machine mean little.
"""
