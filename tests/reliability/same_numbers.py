"""Exits 0 when two results files' first runs have bit-identical numbers (the accuracy matrix,
random-init accuracies, final losses and metrics), else names the fields that differ.
usage: python3 same_numbers.py A.json B.json"""
import json
import sys

a, b = (json.load(open(p))["runs"][0] for p in sys.argv[1:3])
keys = ["accuracy_matrix", "random_init_accuracy", "final_loss", "metrics"]
bad = [k for k in keys if k not in a or k not in b or a[k] != b[k]]  # a missing key differs
sys.exit("differ: " + ", ".join(bad) if bad else 0)
