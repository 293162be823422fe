#!/usr/bin/python3
# Issues one SAML Response with pysaml2 (Debian's python3-pysaml2, which signs and encrypts
# through the xmlsec1 binary) and prints it base64-encoded, for Gatehouse's interop tests.
import argparse
import base64
import sys
import tempfile

from saml2 import BINDING_HTTP_POST, saml
from saml2.config import IdPConfig
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256


def parse_arguments():
    parser = argparse.ArgumentParser(description="Print a base64 SAML Response issued by pysaml2.")
    parser.add_argument("--key", required=True, help="IdP private key, PEM file")
    parser.add_argument("--cert", required=True, help="IdP certificate, PEM file")
    parser.add_argument("--issuer", required=True, help="IdP entity ID")
    parser.add_argument("--request-id", required=True, help="ID of the AuthnRequest answered")
    parser.add_argument("--audience", required=True, help="SP entity ID")
    parser.add_argument("--recipient", required=True, help="SP ACS URL")
    parser.add_argument("--email", required=True, help="NameID and email attribute")
    parser.add_argument("--sign-response", action="store_true")
    parser.add_argument("--sign-assertion", action="store_true")
    parser.add_argument("--sp-metadata", required=True, help="SP metadata XML file, as the SP serves it")
    # pysaml2 7.0.1 always encrypts with tripledes-cbc (see saml2.sigver.pre_encryption_part).
    parser.add_argument("--encrypt", action="store_true", help="encrypt the assertion to the SP metadata key")
    return parser.parse_args()


def identity_provider(args, state_dir):
    config = IdPConfig()
    config.load({
        "entityid": args.issuer,
        "key_file": args.key,
        "cert_file": args.cert,
        "xmlsec_binary": "/usr/bin/xmlsec1",
        "metadata": {"local": [args.sp_metadata]},
        "service": {"idp": {
            "endpoints": {"single_sign_on_service": [(args.issuer + "/sso", BINDING_HTTP_POST)]},
            "policy": {"default": {"lifetime": {"minutes": 5}, "attribute_restrictions": None}},
        }},
        "tmp_path": state_dir,
    })
    return Server(config=config)


def main():
    args = parse_arguments()
    with tempfile.TemporaryDirectory() as state_dir:
        idp = identity_provider(args, state_dir)
        response = idp.create_authn_response(
            identity={"email": [args.email], "firstName": ["Ada"], "lastName": ["Lovelace"]},
            in_response_to=args.request_id,
            destination=args.recipient,
            sp_entity_id=args.audience,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=args.email),
            authn={"class_ref": saml.AUTHN_PASSWORD_PROTECTED},
            sign_response=args.sign_response,
            sign_assertion=args.sign_assertion,
            encrypt_assertion=args.encrypt,
            # pysaml2 defaults to RSA-SHA1, which Gatehouse refuses; real deployments set these.
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
    sys.stdout.write(base64.b64encode(str(response).encode("utf-8")).decode("ascii"))


if __name__ == "__main__":
    main()
