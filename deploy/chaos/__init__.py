"""The fault campaign: real processes under concurrent load, faults injected one at a time.

`make chaos ARGS="--faults N"` (or `python -m deploy.chaos`) starts its own PostgreSQL, NATS
and the four services on free ports, keeps partners and coordinators sending commands, and
after every fault checks that each acknowledged command is present exactly once in every
service and in reporting. At the end it compares reporting with a clean rebuild and verifies
every chain. The last line it prints is the tally:

    faults=N acked=M lost=L duplicated=D mismatched=P stuck=S

tests/fault/test_chaos.py runs a short campaign in the suite.
"""
