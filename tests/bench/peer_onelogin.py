"""Times python3-saml (Debian's python3-onelogin-saml2) on the Responses acs_bench wrote:
OneLogin_Saml2_Response.is_valid. It must accept the valid Response and reject a tampered
copy before it is timed. Prints one JSON line per variant.
Usage: python3 peer_onelogin.py DIR [runs] [seconds]"""
import base64
import json
import os
import statistics
import sys
import time

from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.utils import OneLogin_Saml2_Utils

directory = sys.argv[1] if len(sys.argv) > 1 else "bench-out"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 2.0
with open(os.path.join(directory, "sp.json")) as f:
    sp = json.load(f)
with open(os.path.join(directory, "idp.crt")) as f:
    cert = f.read()

# python3-saml checks times with a fixed allowed drift; the Responses are valid for two
# hours from their creation, so no clock adjustment is needed while the bench runs.
host = sp["acs_url"].split("/")[2]
path = "/" + sp["acs_url"].split("/", 3)[3]
request_data = {"https": "on", "http_host": host, "server_port": "443", "script_name": path}


def settings(variant):
    return OneLogin_Saml2_Settings(
        {
            "strict": True,
            "sp": {
                "entityId": sp["entity_id"],
                "assertionConsumerService": {"url": sp["acs_url"], "binding": OneLogin_Saml2_Constants.BINDING_HTTP_POST},
                "NameIDFormat": OneLogin_Saml2_Constants.NAMEID_EMAIL_ADDRESS,
            },
            "idp": {
                "entityId": sp["idp_entity_id"],
                "singleSignOnService": {"url": "https://login.microsoftonline.example/bench/saml2", "binding": OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT},
                "x509cert": cert,
            },
            "security": {
                "wantAssertionsSigned": True,
                "wantMessagesSigned": variant == "both",
                "rejectDeprecatedAlgorithm": True,
            },
        },
        sp_validation_only=True,
    )


def is_valid(config, response):
    return OneLogin_Saml2_Response(config, response).is_valid(request_data, raise_exceptions=False)


def tamper(response):
    xml = base64.b64decode(response).decode()
    return base64.b64encode(xml.replace("@contoso.example", "@evil.example.xx").encode()).decode()


for variant in ("assertion", "both"):
    with open(os.path.join(directory, variant + ".b64")) as f:
        response = f.read().strip()
    config = settings(variant)
    if not is_valid(config, response):
        r = OneLogin_Saml2_Response(config, response)
        r.is_valid(request_data)
        sys.exit("peer_onelogin.py: FAILED: rejects the valid %s Response: %s" % (variant, r.get_error()))
    if is_valid(config, tamper(response)):
        sys.exit("peer_onelogin.py: FAILED: accepts a tampered %s Response" % variant)
    rates = []
    for _ in range(runs):
        iterations = 0
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            for _ in range(5):
                if not is_valid(config, response):
                    sys.exit("peer_onelogin.py: FAILED: verification failed while timing")
            iterations += 5
        rates.append(iterations / (time.perf_counter() - started))
    print(json.dumps({"bench": "peer", "peer": "python3-saml", "variant": variant, "per_second": statistics.median(rates), "runs": runs}), flush=True)
