"""Reads a /metrics scrape with the Prometheus project's own Python text parser
(Debian's python3-prometheus-client) and prints every sample as JSON, so the C++ tests
check what a real Prometheus client makes of the text. Exits non-zero when the text does
not parse."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def main():
    with open(sys.argv[1], encoding="utf-8") as scrape:
        text = scrape.read()
    samples = []
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.append({"family": family.name, "type": family.type, "name": sample.name,
                            "labels": sample.labels, "value": sample.value})
    json.dump(samples, sys.stdout)


if __name__ == "__main__":
    main()
