"""Summarises fastest_search.py's logs (its stdout): one Markdown row per (network, seed) run found in them.

The logs are read rather than the CSVs because a run stopped half-way still has its epochs there. Columns: label,
parameters, multiply-adds, seed, epochs done/planned, per-epoch test accuracies, last 3, whether the run holds
>= 99.4% in each of its last 3 epochs, the first epoch >= 99.4%, the measured seconds of the whole run (this machine,
this load), the median training images/s and the load average when the run started.

usage: fastest_report.py LOG... [--epochs N]   (N: planned epochs, for logs whose header has no recipe)
"""
import argparse
import re
import statistics


def runs(path, default_epochs):
    current = None
    for line in open(path):
        if line.startswith("# "):
            m = re.match(r"# (\S+) seed=(\d+) plan=(\S+) params=(\d+) macs=(\d+) load=(\S+)(?: recipe: (.*))?", line)
            if current:
                yield current
            recipe = m.group(7) or ""
            planned = int(re.search(r"ep=(\d+)", recipe).group(1)) if recipe else default_epochs
            current = dict(label=m.group(1), seed=m.group(2), plan=m.group(3), params=m.group(4), macs=m.group(5),
                           load=m.group(6), recipe=recipe, planned=planned, accs=[], total=0.0, ips=[], totals=[], path=path)
        elif current and " epoch=" in line:
            f = dict(kv.split("=", 1) for kv in line.split()[1:])
            current["accs"].append(float(f["acc"]))
            current["total"] = float(f["total"])
            current["totals"].append(float(f["total"]))
            current["ips"].append(float(f["img/s"]))
    if current:
        yield current


def main():
    p = argparse.ArgumentParser()
    p.add_argument("logs", nargs="+")
    p.add_argument("--epochs", type=int, default=0)
    p.add_argument("--csv", help="also write every epoch of every run to this CSV (one file from all the logs)")
    a = p.parse_args()
    if a.csv:
        import csv
        with open(a.csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["log", "label", "plan", "recipe", "seed", "planned_epochs", "epoch", "test_accuracy", "total_seconds_at_end",
                        "train_images_per_s", "params", "macs", "load1_at_start"])
            for path in a.logs:
                for r in runs(path, a.epochs):
                    for i, (acc, ips) in enumerate(zip(r["accs"], r["ips"])):
                        w.writerow([path.rsplit("/", 1)[-1], r["label"], r["plan"], r["recipe"], r["seed"], r["planned"], i + 1,
                                    f"{acc:.2f}", f"{r['totals'][i]:.1f}", f"{ips:.0f}", r["params"], r["macs"], r["load"]])
    print("| log | label | params | MACs | seed | epochs | test accuracy per epoch (%) | last 3 | holds | first >= 99.4 | seconds (measured) | train img/s (median) | load1 at start |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for path in a.logs:
        for r in runs(path, a.epochs):
            accs = r["accs"]
            if not accs:
                continue  # a header with no epoch: a run stopped before its first epoch ended
            done = len(accs) == r["planned"]
            last3 = accs[-3:]
            holds = done and all(x >= 99.4 for x in last3)
            first = next((i + 1 for i, x in enumerate(accs) if x >= 99.4), None)
            status = ("yes" if holds else "**no**") if done else f"incomplete ({len(accs)}/{r['planned']})"
            ips = statistics.median(r["ips"]) if r["ips"] else 0
            print(f"| {path.rsplit('/', 1)[-1]} | {r['label']} | {r['params']} | {r['macs']} | {r['seed']} | {len(accs)}/{r['planned']} | "
                  f"{', '.join(f'{x:.2f}' for x in accs)} | {', '.join(f'{x:.2f}' for x in last3) if done else '-'} | {status} | "
                  f"{first or '-'} | {r['total']:.0f} | {ips:.0f} | {r['load']} |")


if __name__ == "__main__":
    main()
