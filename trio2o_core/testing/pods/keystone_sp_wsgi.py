"""A pod Keystone as a SAML service provider, for gunicorn.

Keystone's federation method trusts the web server in front of it to
have checked the SAML assertion and to name the user in the request
environment (as Shibboleth does). This module is that front, in the
Keystone process, with pysaml2 and the ``xmlsec1`` binary:

- ``POST`` of an ECP envelope to the ECP path: the one assertion must be
  signed by the identity provider's key (from its metadata; checked on
  the document exactly as received), issued by it, addressed to this ECP
  URL (response ``Destination``, confirmation ``Recipient``), not expired,
  with a success status and not seen before. Then ``302`` with a signed
  session cookie; otherwise ``403`` saying why.
- the federation auth URL with a valid session: the assertion's
  attributes become the environment (``REMOTE_USER``,
  ``Shib-Identity-Provider``, ``openstack_user``, ...). Such values a
  client sent are always removed.

Configured by environment variables: ``TRIO2O_SP_ECP_URL``,
``TRIO2O_SP_IDP_METADATA``, ``TRIO2O_SP_XMLSEC``; the config file of
Keystone comes from ``OS_KEYSTONE_CONFIG_FILES``.
"""

import base64
import datetime
import hashlib
import hmac
import json
import os
import re
import sys
import tempfile
import threading
import time
import urllib.parse
from xml.dom import minidom

sys.argv = sys.argv[:1]

from keystone.wsgi.api import application as keystone_app  # noqa: E402
from saml2 import config as saml_config  # noqa: E402
from saml2 import mdstore  # noqa: E402
from saml2 import samlp  # noqa: E402
from saml2 import sigver  # noqa: E402
from saml2.attribute_converter import ac_factory  # noqa: E402

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
DSIG = "http://www.w3.org/2000/09/xmldsig#"
COOKIE = "trio2o_sp_session"
SESSION_SECONDS = 60
AUTH_PATH = re.compile(
    r"^/v3/OS-FEDERATION/identity_providers/[^/]+/protocols/[^/]+/auth$")
#: what the front alone may put in Keystone's environment
TRUSTED = ("REMOTE_USER", "Shib-Identity-Provider", "openstack_user",
           "openstack_user_domain", "openstack_roles", "openstack_project",
           "openstack_project_domain", "openstack_groups")


class Refused(Exception):
    """The assertion is not accepted; the message says why."""


def _spoofable(key):
    """Environment keys a client could have set for a trusted name."""
    upper = key.upper().replace("-", "_")
    return {key, upper, "HTTP_" + upper}


SPOOFABLE = set().union(*(_spoofable(key) for key in TRUSTED))


class IdentityProvider:
    """The trusted identity provider: entity id and signing certificate,
    read from its metadata file (again whenever the file changes)."""

    def __init__(self, path):
        self.path = path
        self._stamp = None
        self.entity_id = None
        self.cert_file = None
        self._lock = threading.Lock()

    def load(self):
        with self._lock:
            stamp = os.stat(self.path).st_mtime_ns
            if stamp == self._stamp:
                return
            store = mdstore.MetadataStore(ac_factory(), saml_config.Config())
            store.load("local", self.path)
            [entity_id] = list(store.keys())
            certs = store.certs(entity_id, "idpsso", "signing")
            if not certs:
                raise Refused("the identity provider's metadata has no "
                              "signing certificate")
            pem = tempfile.NamedTemporaryFile(
                "wb", suffix=".pem", delete=False, prefix="idp-cert-")
            with pem:
                pem.write(sigver.pem_format(certs[0][1]))
            self.entity_id, self.cert_file = entity_id, pem.name
            self._stamp = stamp


class ServiceProviderFront:
    """WSGI middleware checking ECP assertions before Keystone."""

    def __init__(self, app, ecp_url, metadata, xmlsec):
        self.app = app
        self.ecp_url = ecp_url
        self.ecp_path = urllib.parse.urlsplit(ecp_url).path
        self.idp = IdentityProvider(metadata)
        self.crypto = sigver.CryptoBackendXmlSec1(xmlsec)
        self.secret = os.urandom(32)
        self.seen = {}
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        for key in list(environ):
            if key in SPOOFABLE:
                del environ[key]
        path = environ.get("PATH_INFO", "")
        if path == self.ecp_path and environ["REQUEST_METHOD"] == "POST":
            return self._ecp(environ, start_response)
        if AUTH_PATH.match(path):
            session = self._session(environ)
            if session is None:
                return _answer(start_response, "401 Unauthorized",
                               "no valid SAML session")
            environ.update(session)
        return self.app(environ, start_response)

    # the assertion

    def _ecp(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        envelope = environ["wsgi.input"].read(length)
        try:
            attributes = self.check(envelope)
        except Exception as exc:  # never a 500: any fault is a refusal
            return _answer(start_response, "403 Forbidden",
                           f"SAML assertion refused: {exc}")
        cookie = self._sign({"env": attributes,
                             "exp": time.time() + SESSION_SECONDS})
        start_response("302 Found", [
            ("Location", self.ecp_url),
            ("Set-Cookie", f"{COOKIE}={cookie}; Path=/; HttpOnly"),
            ("Content-Length", "0")])
        return [b""]

    def check(self, envelope):
        """The environment an ECP ``envelope`` (bytes) gives Keystone.

        :raises Refused: the assertion is not accepted.
        """
        self.idp.load()
        try:
            doc = minidom.parseString(envelope)
        except Exception:
            raise Refused("not XML") from None
        responses = doc.getElementsByTagNameNS(SAMLP, "Response")
        assertions = doc.getElementsByTagNameNS(SAML, "Assertion")
        if len(responses) != 1 or len(assertions) != 1:
            raise Refused("one response with one assertion expected")
        response, assertion = responses[0], assertions[0]
        if assertion.parentNode is not response:
            raise Refused("the assertion is not the response's")
        assertion_id = assertion.getAttribute("ID")
        self._check_signature(envelope, assertion, assertion_id)
        # pysaml2's schema wants an xs:ID, which a uuid hex need not be:
        # read a copy whose ids are prefixed (the signature is checked)
        text = re.sub(r'(\sID=")', r"\1_", _standalone(response))
        try:
            parsed = samlp.response_from_string(text)
        except Exception as exc:
            raise Refused(f"unreadable response: {exc}") from None
        if parsed is None or not parsed.assertion:
            raise Refused("no assertion")
        return self._check_fields(parsed, parsed.assertion[0]
                                  if isinstance(parsed.assertion, list)
                                  else parsed.assertion, assertion_id)

    def _check_signature(self, envelope, assertion, assertion_id):
        signatures = [node for node in assertion.childNodes
                      if node.namespaceURI == DSIG
                      and node.localName == "Signature"]
        if len(signatures) != 1:
            raise Refused("the assertion is not signed")
        refs = signatures[0].getElementsByTagNameNS(DSIG, "Reference")
        if [ref.getAttribute("URI") for ref in refs] != [
                "#" + assertion_id]:
            raise Refused("the signature does not cover the assertion")
        try:
            valid = self.crypto.validate_signature(
                envelope, self.idp.cert_file, "pem",
                f"{SAML}:Assertion", assertion_id)
        except sigver.SignatureError:
            valid = False
        if not valid:
            raise Refused("bad signature")

    def _check_fields(self, response, assertion, assertion_id):
        idp = self.idp.entity_id
        status = response.status.status_code.value if response.status \
            else None
        if status != samlp.STATUS_SUCCESS:
            raise Refused(f"status {status}")
        if response.destination != self.ecp_url:
            raise Refused(f"destination {response.destination}")
        for issuer in (response.issuer, assertion.issuer):
            if issuer is None or issuer.text.strip() != idp:
                raise Refused("not issued by the trusted identity provider")
        confirmations = assertion.subject.subject_confirmation
        if not isinstance(confirmations, list):
            confirmations = [confirmations]
        data = confirmations[0].subject_confirmation_data
        if data.recipient != self.ecp_url:
            raise Refused(f"recipient {data.recipient}")
        expires = datetime.datetime.fromisoformat(
            data.not_on_or_after.replace("Z", "+00:00"))
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=datetime.UTC)
        now = datetime.datetime.now(datetime.UTC)
        if expires <= now:
            raise Refused("expired")
        with self._lock:
            self.seen = {key: until for key, until in self.seen.items()
                         if until > now}
            if assertion_id in self.seen:
                raise Refused("replayed")
            self.seen[assertion_id] = expires
        statements = assertion.attribute_statement
        if not isinstance(statements, list):
            statements = [statements]
        values = {attr.name: [v.text for v in attr.attribute_value]
                  for statement in statements
                  for attr in statement.attribute}
        env = {name: ";".join(values[name]) for name in TRUSTED
               if name in values}
        env["REMOTE_USER"] = env.get("openstack_user", "")
        env["Shib-Identity-Provider"] = idp
        return env

    # the session

    def _sign(self, payload):
        data = base64.urlsafe_b64encode(json.dumps(payload).encode())
        mac = hmac.new(self.secret, data, hashlib.sha256).hexdigest()
        return f"{data.decode()}.{mac}"

    def _session(self, environ):
        cookies = {}
        for part in environ.get("HTTP_COOKIE", "").split(";"):
            name, _, value = part.strip().partition("=")
            cookies[name] = value
        data, _, mac = cookies.get(COOKIE, "").partition(".")
        good = hmac.new(self.secret, data.encode(),
                        hashlib.sha256).hexdigest()
        if not data or not hmac.compare_digest(mac, good):
            return None
        payload = json.loads(base64.urlsafe_b64decode(data))
        if payload["exp"] < time.time():
            return None
        return {key: value for key, value in payload["env"].items()
                if key in TRUSTED}


def _standalone(node):
    """The XML of ``node`` with the namespaces its ancestors declare."""
    copy = node.cloneNode(True)
    parent = node.parentNode
    while parent is not None and parent.attributes is not None:
        for name, value in parent.attributes.items():
            if name.startswith("xmlns") and not copy.hasAttribute(name):
                copy.setAttribute(name, value)
        parent = parent.parentNode
    return copy.toxml()


def _answer(start_response, status, message):
    body = json.dumps({"error": {"code": int(status[:3]),
                                 "message": message}}).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(body)))])
    return [body]


application = ServiceProviderFront(
    keystone_app, os.environ["TRIO2O_SP_ECP_URL"],
    os.environ["TRIO2O_SP_IDP_METADATA"],
    os.environ.get("TRIO2O_SP_XMLSEC", "/usr/bin/xmlsec1"))
