"""What a log line says about the cause, most specific first. These are the wordings of
common runtimes and libraries, not of any one bundle."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta
from difflib import SequenceMatcher

from oncall.core.diagnosis import Category
from oncall.tools.read_logs import OOM_KILLER

__all__ = ["OOM_KILLER"]  # the kernel's wording, kept with the log reader that sees it on a host

# a token refused as issued in the future (its issuer's clock is ahead): jjwt, PyJWT, jsonwebtoken, .NET
_TOO_EARLY = (
    r"not yet valid|must not be accepted before|PrematureJwt|ImmatureSignature|NotBeforeError|IDX10222"
    r"|used before issued|issued in the future"
)

# a certificate its checker cannot chain to a CA it trusts (an intermediate left out, a private CA): OpenSSL's
# alert and verify errors, Go's x509, Node's, Java's PKIX; the alert as Erlang/OTP's ssl (EMQX, RabbitMQ), Java
# and Go report receiving it (`received CLIENT ALERT: Fatal - Unknown CA`, `unknown_ca`)
_UNTRUSTED = (
    r"alert unknown ca|alert: fatal - unknown ca|\bunknown_ca\b|tls: unknown certificate authority"
    r"|unable to get local issuer certificate|unable to verify the first certificate"
    r"|certificate signed by unknown authority|self[- ]signed certificate in certificate chain"
    r"|unable to find valid certification path|PKIX path building failed"
)

# a store refusing writes for the space it may use: etcd's backend quota (its NOSPACE alarm), MinIO's drives
# past their free-space threshold, a volume with no room, a broker blocking its publishers at its disk alarm
# (RabbitMQ's connection.blocked, "low on disk", as its clients report it)
_NO_SPACE = (
    r"\bspace exceeded\b|\bNOSPACE\b|\bstorage (is )?full\b|StorageFull|\binsufficient (storage|disk space)\b"
    r"|minimum free drive threshold|\blow on disk\b|\bdisk resource limit alarm\b"
    # a database's files at their size limit: SQL Server's 1105 ("the 'PRIMARY' filegroup is full") and 9002 (its
    # transaction log full), MySQL's "The table 'x' is full"
    r"|\bfilegroup is full\b|\btransaction log for database '[^']+' is full\b|\bThe table '[^']+' is full\b"
)

# a stream or account at the size it may keep refuses what is new: the broker's limit, not its client's (NATS
# JetStream's "maximum bytes exceeded", "maximum messages exceeded", "resource limits exceeded for account")
_STREAM_LIMIT = (
    r"\bmaximum (bytes|messages|consumers)( per subject)? (exceeded|limit reached)\b|\bresource limits exceeded\b"
)
# how much an account may use in a day or a month (a plan's daily request limit, a monthly quota), spent: the provider
# refuses until the period ends or the plan is raised; its limit, not its caller's (Upstash's "max daily request
# limit exceeded")
_USAGE_QUOTA = (
    r"\b(daily|monthly|hourly|per[- ]day|per[- ]month)\b[^.\n]{0,30}\b(limit|quota)\b[^.\n]{0,20}\b(exceeded|reached)\b"
    # a prepaid allowance used up: the account's balance or package (Tencent SMS's InsufficientBalanceInSmsPackage)
    r"|InsufficientBalance|\binsufficient (balance|credits?|funds)\b"
)

# a token's signing key the verifier does not hold: no key in its set has the token's key id (kid)
_NO_SIGNING_KEY = (
    r"unable to (find a signing|match) key|no matching (signing )?key|signing key not found|kid\W+\S+\W+not found"
    r"|\bkid\b[^\n]{0,40}\bnot (found|in)\b|SignatureKeyNotFound|IDX1050[13]\b"
    r"|\bno (JWKs?|(signing )?keys?) (with|for|matching) (the )?(kid|key id)\b"
)
# a per-user or per-process limit on inotify reached (.NET's FileSystemWatcher: "The configured user limit (128) on the
# number of inotify instances has been reached"): each file watcher holds one
_INOTIFY = r"\binotify (instances|watch(es)?)\b.{0,60}\b(limit|reached)|\blimit \(\d+\) on the number of inotify"

# a signed request (a webhook) whose signature its receiver cannot match (Stripe's, Svix's, GitHub's libraries; a
# payment provider's notification "sign", as Przelewy24 calls it): the receiver checks with its secret what the
# sender signed with its own
_UNMATCHED_SIGNATURE = (
    r"SignatureVerification(Error|Exception|Failed)|no signatures? found matching|\bsign(ature)? mismatch\b"
)
UNMATCHED_SIGNATURE = re.compile(_UNMATCHED_SIGNATURE, re.I)

# a connection that could not be opened in time never reached the other side (Go's dial timeout, Java's and
# Node's connect timeouts): the way there, or the host at its end, failed; not an answer the other side gave.
# Which of them is not in the words: a dependency failure or a network one (doubts._far_end)
_NOT_CONNECTED = (
    r"\bdial tcp \S+:\d+: i/o timeout|\bconnect timed out\b|\bconnect ETIMEDOUT\b|\bConnectTimeout(Error)?\b"
)
NOT_CONNECTED = re.compile(_NOT_CONNECTED, re.I)

RULES: list[tuple[Category, str]] = [
    (
        # A refusal that names the right the caller lacks is a permission refused, whatever status wraps it
        # (Dapr passes Service Bus's "'Send' claim(s) are required" on as gRPC's Unauthenticated, an Azure
        # SDK as 401): first, so that the wrapping's words do not read as a credential gone bad
        "permission_denied",
        r"\bclaims?(\(s\))? (is |are )?required to perform\b|\bdoes not have (the )?(required )?"
        r"(authorization|permissions?) to perform\b|\bAuthorizationPermissionMismatch\b|\bAuthorizationFailed\b",
    ),
    (
        "expired_credential",
        r"certificate[ _](has )?expired|x509: certificate has expired|certificate.{0,40}not valid after"
        r"|cert(ificate)? expired|token (has |is )?expired|expired (token|credential|password|certificate)"
        r"|ExpiredToken|bad[ _]certificate|certificate verify failed|password authentication failed"
        r"|invalid (api[ _-]?key|credentials|token)|\w*Expired\w*Exception|credentials? (have|has) expired"
        # a key a caller signs or authenticates with, expired (an API key, a printer cloud's UKEY)
        r"|\b\w*key (has |is )?expired\b"
        # ...or said the other way round, as Snowflake's drivers refuse a key-pair login ("JWT token is invalid")
        r"|\b(token|api[ _-]?key|credentials?) (is|was|are|were) (invalid|not valid)\b"
        r"|\bWRONGPASS\b|\bNOAUTH\b|\bUNAUTHENTICATED\b|invalid_grant|invalid_client"
        # OpenSSL's verify error as Node's TLS names it (X509_V_ERR_CERT_HAS_EXPIRED)
        r"|\bCERT_HAS_EXPIRED\b"
        # a token signed with a key the verifier does not hold (a kid not in its key set): the verifier's copy of
        # its issuer's keys is stale, or the token's key is not the issuer's
        rf"|{_NO_SIGNING_KEY}"
        # Kerberos: a ticket the service cannot decrypt with the key it holds (its keytab's key is not the one the
        # KDC issued the ticket for: Checksum failed, a key version it does not have), a ticket or TGT expired or
        # missing, a key the KDC refuses
        r"|GSS initiate failed|Checksum failed|Specified version of key is not available|Failed to find any "
        r"Kerberos tgt|\bTicket expired\b|Pre-authentication information was invalid"
        # a server calling the authentication it was given invalid refuses the caller's credentials, and a
        # caller left with no valid token cannot present one (Daraja's OAuth: "Invalid Authentication passed")
        r"|\binvalid (authentication|client (id|secret)|consumer (key|secret))\b"
        # a server saying the key or token sent does not match the one it holds for the caller refuses the caller's
        # credential (Moneris' "API token mismatch"; not a CSRF token, which is a browser session's)
        r"|\b(api|access|auth) (token|key) mismatch\b"
        r"|\bno valid (access |auth |bearer )?token\b"
        # an application's client secret past its end date (Entra ID's AADSTS7000222: "The provided client secret
        # keys for app '...' are expired"; its AADSTS7000215, "Invalid client secret provided", is said above)
        r"|\bclient secret( keys)?( for app '[^']*')? (are|is|has|have)( been)? expired\b"
        # a refusal that asks the caller to check the key or credentials it sent is about them, not about what they
        # may do, whatever status wraps it (Steam's Web API: "403 Forbidden ... Please verify your key= parameter")
        r"|\b(verify|check) (your|the) (<\w+>)?(api[ _-]?)?(key|token|credentials?)\b"
        # a login refused for its password, or an account locked after too many such refusals (Oracle's
        # ORA-01017 and ORA-28000, SMPP's bind "Invalid Password", an LDAP or database "logon denied")
        r"|\binvalid (user ?name/)?password\b|\blogon denied\b|\b(rejected|refused|denied) (login|logon|bind)\b"
        r"|\b(login|logon|bind) (was )?(rejected|refused|denied)\b|\baccount (is |has been |was )?locked\b"
        # a provider saying the identity the caller presented is not valid: its credentials, its API key, the
        # initiator a payment API acts as (M-Pesa's result 2001: "The initiator information is invalid")
        r"|\b(credentials?|api[ _-]?key|initiator|security credential)( information| details)? (is|are|was|were) "
        r"(invalid|incorrect|not valid)\b"
        # a token its server no longer knows (expired, so deleted, or revoked): Consul's and Nomad's words
        r"|\bACL (token )?not found\b|\b(access|api|auth|bearer|session) token (was )?not found\b"
        # a key or token its issuer revoked is as invalid as an expired one (not a certificate: a revoked
        # certificate is usually the other side's, which the caller checked)
        r"|\b(key|token|credentials?|secret) (has |have |was |were |is )?(been )?revoked\b|\b(api_key|token)_revoked\b"
        # a secret, key version or access key its store disabled or destroyed (a rotation retires the old one)
        # is a credential no longer usable: Secret Manager's "is in DISABLED state", a KMS key "is disabled",
        # OSS's "Access Key Id you provided is disabled"; an access key id its store does not know is as bad
        # (S3's, OSS's and MinIO's InvalidAccessKeyId)
        r"|\b(secret|secret version|key version|crypto ?key|KMS key|access ?key( ?id)?)\b[^\n]{0,100}?"
        r"\b(is|was|has been) (in (the )?)?(disabled|destroyed)( state)?\b|\bInvalidAccessKeyId\b"
        # (Python's urllib and python-http-client write "HTTP Error 401: Unauthorized"; an OAuth server's
        # invalid_grant says its grant "is invalid, expired, or revoked", RFC 6749's words, as SendGrid does)
        r"|authentication failed|\b401:? Unauthorized|SignatureDoesNotMatch|InvalidClientTokenId"
        # a provider's 401 says the credentials the caller presented are not valid (RFC 9110), as the caller
        # reports the answer it got ("Paystack answered 401: Invalid key")
        r"|\b(answered|returned|responded with|got|received)( an?)?( HTTP)? 401\b"
        r"|authorization grant is invalid, expired,? or revoked"
        # .NET's SslStream: an expired peer certificate is "NotTimeValid" in the chain's errors
        r"|NotTimeValid|remote certificate is invalid|RemoteCertificateChainErrors"
        # Windows' logon refused for the account's password: expired or to be changed (the Service Control
        # Manager's 7000 and 7038, the Security log's status 0xC0000071 and 0xC0000224), or wrong
        r"|password (has )?expired|password must be changed|\blogon failure\b|unable to log ?on as"
        r"|user name or password is incorrect|0xC0000071|0xC0000224|KDC_ERR_KEY_EXPIRED"
        # IIS' WAS refusing an application pool's identity, which no longer logs on (its password expired or
        # was changed): 5021 "The identity of application pool X is invalid. The user name or password that is
        # specified for the identity may be incorrect"
        r"|\bidentity of application pool \S+ is invalid\b|user name or password that is specified for the identity"
        # SMTP's authentication refusal (RFC 4954), as mail clients report it
        r"|\b535[ -]5\.7\.8\b|SMTPAuthenticationError|Username and Password not accepted"
        # a token signed with a key the verifier does not hold (its issuer rotated keys): PyJWT, jsonwebtoken,
        # golang-jwt, jjwt, Microsoft.IdentityModel
        r"|signing key|signature verification failed|invalid signature|token signature is invalid"
        r"|JWT signature does not match|JsonWebTokenError|InvalidSignatureError|IDX10503|IDX10501"
        # ...as Haskell's jose names it (PostgREST: "JWSError JWSInvalidSignature") and Supabase Realtime does
        r"|\bJWSInvalidSignature\b|\bInvalidJWTToken\b"
        # a signed request (a webhook) whose signature its receiver cannot match: the receiver's signing secret
        # is not the sender's (Stripe's, Svix's, GitHub's webhook libraries); a token not valid yet (issued by
        # a clock ahead of the checker's); a certificate its checker cannot chain to a CA it trusts
        "|" + _UNMATCHED_SIGNATURE + "|" + _TOO_EARLY + "|" + _UNTRUSTED,
    ),
    (
        "permission_denied",
        # Kubernetes refuses a pod over quota as "forbidden: exceeded quota": a quota, not a permission
        # Elasticsearch blocks writes on a full disk as "FORBIDDEN/12/index read-only": the disk, not a permission
        r"AccessDenied|not authorized to perform|permission denied|403 Forbidden"
        r"|\bforbidden\b(?!: exceeded quota)(?!/[^/\s]*/index read-only)"
        r"|insufficient (permissions|privileges)|UnauthorizedOperation|cannot (get|list|create|watch|patch) resource"
        r"|\bPERMISSION_DENIED\b|\bEACCES\b|is not authorized to|missing (required )?(scope|permission)"
        # Meta's Graph API: "(#200) Permissions error" (the system user lost its access to the asset)
        r"|\bpermissions? error\b",
    ),
    (
        "network",
        r"no such host|NXDOMAIN|SERVFAIL|\bDNS\b|name resolution|could not resolve (host|hostname|address)"
        r"|UnknownHostException"
        r"|getaddrinfo|network is unreachable|no route to host|TLS handshake|handshake (failure|timeout)"
        r"|\bENOTFOUND\b|\bEAI_AGAIN\b|\bEHOSTUNREACH\b|\bENETUNREACH\b|NameResolutionError"
        r"|dial tcp: lookup|Temporary failure in name resolution"
        # glibc's getaddrinfo answers as Python's socket.gaierror and MySQL/PostgreSQL clients quote them
        r"|Name or service not known|nodename nor servname provided|No address associated with hostname"
        # a cluster member that lost quorum was cut off from its peers (Galera's non-Primary, a partition)
        r"|\bnon-Primary\b|\b(?:lost|no|without) quorum\b|\bquorum (?:lost|not reached)|network partition"
        r"|split[- ]brain",
    ),
    (
        "resource_exhaustion",
        r"pool (is )?exhausted|connection is not available|too many (connections|clients)"
        r"|waiting for (a )?connection|remaining connection slots|OutOfMemory|OOMKilled"
        # knex's words for its pool with none to hand out (`Timeout acquiring a connection. The pool is
        # probably full.`)
        r"|timeout acquiring (a )?connection|\bpool is (probably )?full\b"
        r"|out of memory|heap space|MemoryError|cannot allocate memory|No space left on device"
        r"|disk (is )?full|too many open files|thread pool .*(full|exhausted)"
        # a kernel limit on what a user or process may hold reached: its inotify instances or watches (.NET's
        # FileSystemWatcher: "The configured user limit (128) on the number of inotify instances has been reached")
        rf"|{_INOTIFY}"
        # out of local ports for new connections: the caller's own sockets, whoever it was calling
        r"|cannot assign requested address|\bEADDRNOTAVAIL\b|Address not available"
        # a disk too slow to keep up: PostgreSQL's checkpoint sync, ZooKeeper's fsync, the kernel's iowait
        r"|\bsync=\d{2,}(\.\d+)? s\b|\bfsync(-ing)?\b.*\btook \d{4,} ?ms|\biowait\b|\bI/O (wait|stall)"
        r"|RejectedExecution|queue (is )?full|CPU throttl|GC overhead limit"
        # the kernel's connection tracking table full: the host drops new connections, whoever they are to
        r"|nf_conntrack: table full|table full, dropping packet"
        # gRPC's RESOURCE_EXHAUSTED, except for a message past the receiver's size limit: that is what
        # the peer sent, not a resource that ran out
        r"|\bENOSPC\b|\bEMFILE\b|\bENOMEM\b|\bRESOURCE_EXHAUSTED\b(?!.{0,40}larger than max)|\bEvicted\b"
        r"|exceeded (its |the )?(memory|cpu|ephemeral-storage) limit|exceeded quota|Insufficient (cpu|memory)"
        # a quota spent, whatever is said between (GCP's `Quota 'CPUS' exceeded` and its quotaExceeded reason,
        # AWS's ServiceQuotaExceededException)
        r"|\bquota\b[^.\n]{0,40}\bexceeded\b|\bquotaExceeded\b|QuotaExceeded"
        r"|low on resource|heap out of memory|flood stage disk watermark|index read-only / allow delete"
        # PostgreSQL out of transaction IDs: it refuses writes until a vacuum frees them
        r"|to avoid wraparound data loss|must be vacuumed within"
        # Redis at its maxclients
        r"|max number of clients reached"
        # an id or counter at its type's maximum (a 32-bit key, a sequence): inserts fail until it is widened
        r"|reached maximum value of sequence|\binteger out of range\b|Out of range value for column"
        # a server turning work away at its own limit: it says it is shedding load, or overloaded
        r"|\bshed(ding)? load\b|\bload[ -]?shedding\b|\b(server|service|node|instance|system) (is )?overloaded\b"
        # a store out of the space it may use: etcd's quota, an object store's drives, a volume; a stream at its size
        r"|" + _NO_SPACE + "|" + _STREAM_LIMIT + "|" + _USAGE_QUOTA,
    ),
    (
        # a workload that cannot start as configured: the change that configured it is the cause
        "recent_change",
        r"ImagePullBackOff|ErrImagePull|exec format error|manifest unknown|InvalidImageName"
        r"|CreateContainerConfigError|unknown (flag|option|config(uration)? key)|unrecognized (option|field)"
        r"|failed to (parse|load) config|invalid configuration"
        # Spring's missing property, as a config push that dropped it leaves every client
        r"|Could not resolve placeholder"
        # code reaching a path its build does not implement (or a server lacking a method its caller
        # calls): a deploy or a flag changed what runs
        r"|UnsupportedOperationException|NotImplementedError|\bnot implemented\b|\bUNIMPLEMENTED\b",
    ),
    (
        "dependency_failure",
        r"rate.?limit|\b429\b|Too Many Requests|throttl|upstream|\b50[234]\b|Bad Gateway"
        r"|Service Unavailable|connection refused|deadline exceeded|timed? ?out|lock wait"
        r"|deadlock|slow query|circuit.?breaker|ECONNREFUSED|ECONNRESET|reset by peer"
        r"|\bUNAVAILABLE\b|\bDEADLINE_EXCEEDED\b|\bETIMEDOUT\b|no healthy upstream|broken pipe"
        r"|message larger than max|message too large"
        # what a caller quotes of the other side: HTTP 529, a model API's overloaded_error, D1's "DB is overloaded"
        r"|\boverloaded\b"
        # the data it consumes stopped moving (a feed served but never updated): its source failed it
        r"|\b(feed|snapshot|data|positions|header timestamp)\b[^.;]{0,60}\b(unchanged|not updated|frozen) (for|since)\b"
        r"|\bstale (feed|data|snapshot)\b|\bno (fresh|new) (\w+ )?(data|positions|updates|records|messages|events)\b"
        # a stream that went silent: nothing arrived from its source for a while (`no sentences from 153.44.253.27:5631
        # for 120 s`, `no messages received in 60 s`)
        r"|\b(no|nothing)\b (\w+ ){0,2}(received|arrived)\b|\bno \w+ from \S+ (for|in|since)\b"
        # the data it consumes fails the consumer's own checks (a zero price, a corrupt record): its source sent it
        r"|\b(non-positive|negative|zero|implausible|malformed|corrupt(ed)?)"
        r" (rate|price|quote|payload|record|snapshot)s?\b",
    ),
]
CATEGORY_PATTERNS: list[tuple[Category, re.Pattern[str]]] = [(cat, re.compile(rx, re.I)) for cat, rx in RULES]

# Errors about a peer's certificate blame the peer; other credential, permission and
# network errors are the logging service's own problem.
PEER_CERT = re.compile(r"x509|certificate|PKIX|SSL handshake|\bCERT_(HAS_EXPIRED|NOT_YET_VALID)\b", re.I)
# A TLS alert the logger received: the other side refused the handshake over the certificate the logger
# presented (Java's "Received fatal alert: certificate_expired", OpenSSL's "sslv3 alert certificate expired",
# "tlsv1 alert unknown ca", .NET's "the remote party sent a TLS alert: 'CertificateExpired'", Go's "remote
# error: tls: expired certificate"), so the certificate at fault is the logger's own, not the peer's
ALERT_RECEIVED = re.compile(
    r"received (fatal )?alert|\b(sslv3|tlsv1(\.\d)?) alert\b|remote party sent a TLS alert|remote error: tls: ", re.I
)


# A certificate the logger verified and rejected (expired, not yet valid, untrusted): the other side's, whichever
# side the logger is (a client checks the server's, a server a client's)
VERIFIED_CERT = re.compile(
    r"certificate verify failed|CERTIFICATE_VERIFY_FAILED|x509: certificate|certificate (has )?expired"
    r"|NotTimeValid|PKIX path|certificate signed by unknown authority|unable to verify the first certificate"
    # OpenSSL's verify errors as Node's TLS names them (X509_V_ERR_CERT_HAS_EXPIRED, ...)
    r"|\bCERT_(HAS_EXPIRED|NOT_YET_VALID)\b",
    re.I,
)


def checked_their_cert(words: str) -> bool:
    """The words say the logger verified the other side's certificate and rejected it (not one a peer refused
    of the logger's, whose TLS alert the logger received)."""
    return bool(VERIFIED_CERT.search(words)) and not ALERT_RECEIVED.search(words)


def told_own_cert_refused(words: str) -> bool:
    """The words say the other side refused the logger's own certificate (a TLS alert it received about one)."""
    return bool(ALERT_RECEIVED.search(words)) and bool(PEER_CERT.search(words))


def their_cert(words: str) -> bool:
    """The words are about the other side's certificate (one the logger checked), not its own."""
    return bool(PEER_CERT.search(words)) and not ALERT_RECEIVED.search(words)


# What a request asked for, not who failed to answer it: a proxy's error line names the request it was serving
# (nginx's `request: "POST /v1/loans HTTP/1.1"`), and an upstream's URL the same path again after its address
ASKED_FOR = re.compile(r'\brequest: "[^"]*"')
UPSTREAM_PATH = re.compile(r'(\bupstream: "(?:[a-z]+://)?[^/"\s]+)/[^"]*"')


def asked_for_unnamed(text: str) -> str:
    """`text` without what its requests asked for (ASKED_FOR, UPSTREAM_PATH): the upstream's address is kept, and
    names the service that failed to answer."""
    return ASKED_FOR.sub("<asked>", UPSTREAM_PATH.sub(r'\1"', text))


def upstreams_named(text: str, namespaces: Iterable[str]) -> str:
    """`text` with each proxy's name for an upstream, built from the Service's namespace, name and port
    (ingress-nginx's `[charging-driver-api-8000]`, Traefik's `charging-driver-api-8000@kubernetes`), written
    as the Service's name: the service that answered the request, which a name inside a longer one is not."""
    for ns in namespaces:
        text = re.sub(rf"(?<![\w-]){re.escape(ns)}-([a-z0-9][a-z0-9-]*?)-(?:\d+|<\*>)(?=[\]@\s]|$)", r"\1", text)
    return text


# Words that say a request never reached the named service: refused at its port, or answered by
# the proxy in front of it (Envoy's "no healthy upstream", "upstream connect error", and its fault
# injection's "fault filter abort")
NEVER_ARRIVED = re.compile(
    r"connection refused|ECONNREFUSED|no healthy upstream|upstream connect error|fault filter abort", re.I
)
# Words that say the other side closed or reset the connection (a proxy's upstream, a server's keep-alive)
CLOSED_BY_PEER = re.compile(
    r"prematurely closed|closed without response|connection reset|reset by peer|unexpected EOF|broken pipe"
    r"|upstream connect error|server closed the connection",
    re.I,
)
# A name that could not be resolved: the resolver between the caller and that name failed, not the
# host named (Go's "lookup X: i/o timeout", glibc, Java, Node, Python, and DNS's own answers)
UNRESOLVED = re.compile(
    r"no such host|NXDOMAIN|SERVFAIL|name resolution|could not resolve (host|hostname|address)|UnknownHostException"
    r"|getaddrinfo|\bENOTFOUND\b|\bEAI_AGAIN\b|NameResolutionError|dial tcp: lookup|\blookup \S+( on \S+)?: "
    r"|Name or service not known|nodename nor servname provided|No address associated with hostname",
    re.I,
)
# A URL's host with at least one dot: its domain's name is the label before the last (`api.kaspi.kz`: kaspi)
URL_HOST = re.compile(r"\bhttps?://((?:[\w-]+\.)+[\w-]+)", re.I)


def named_by_domain(service: str, words: Iterable[str]) -> bool:
    """Whether a URL in the words is at a domain of the service's name (`https://api.openpay.mx/...` names
    openpay, as a provider's public API is reached; a service of ours sits under our own domain)."""
    domains = {host.lower().split(".")[-2] for text in words for host in URL_HOST.findall(text)}
    return re.split(r"[-_.]", service.lower())[0] in domains


# A session with a coordination service lost: ZooKeeper's clients (Java, Go, ClickHouse's), etcd's, Consul's
SESSION_LOST = re.compile(
    r"session (has been )?expired|SessionExpired|ConnectionLoss|Coordination::Exception|KeeperException|\bzk: "
    r"|etcdserver: |requested lease not found|No cluster leader",
    re.I,
)
# A database refusing a new connection at its own limit, as its clients report it: PostgreSQL's
# "too many clients" and reserved slots, MySQL's "Too many connections" (1040)
SERVER_LIMIT = re.compile(
    r"sorry, too many clients|remaining connection slots are reserved|\bToo many connections\b|ER_CON_COUNT_ERROR"
    # ... PostgreSQL's limit for one role or database; PgBouncer's on its clients
    r"|too many connections for (role|database)\b|no more connections allowed \(max_(client|db|user)_conn"
    # ... or a new session at the number it keeps open: a PKCS#11 token's (an HSM's partition), Oracle's ORA-00018
    r"|CKR_SESSION_COUNT|maximum number of sessions exceeded|\btoo many (?:open )?sessions\b",
    re.I,
)
# A database that answers but will not serve, as its clients quote it: a Galera node out of its cluster's
# primary component (1047, "WSREP has not yet prepared node for application use"), a server starting up or
# shutting down, one a framework says is unavailable
NOT_SERVING = re.compile(
    r"not (?:yet )?(?:prepared|ready)(?: \w+)? for (?:application )?use|database (?:is |was )?(?:unavailable"
    r"|unreachable|not available|down)\b|the database system is (?:starting up|shutting down|in recovery mode)"
    r"|error establishing a database connection",
    re.I,
)
# A store refusing a write because its own memory is at its limit, as its clients quote it (Redis's
# maxmemory with no eviction, Memcached's "out of memory storing object", a broker blocking its publishers at
# its memory alarm: RabbitMQ's "low on memory")
STORE_FULL = re.compile(
    r"used memory > 'maxmemory'|OOM command not allowed|SERVER_ERROR out of memory storing object|\blow on memory\b",
    re.I,
)
# ... or for being read-only, not for no longer being the primary (READ_ONLY has those too): PostgreSQL's
# SQLSTATE 25006, MySQL's --read-only and --super-read-only, a database or server "is read-only"
STORE_READ_ONLY = re.compile(
    r"read[- ]only (sql )?transaction|--(super-)?read-only option|\b(database|server|instance) is (in )?read[- ]only\b"
    r"|\bread[- ]only mode\b",
    re.I,
)
# ... or for its space (etcd's "mvcc: database space exceeded", MinIO's XMinioStorageFull)
STORE_NO_SPACE = re.compile(_NO_SPACE, re.I)
# What says how many instances run: a deployment's replicas, an autoscaler's bounds, a desired count
REPLICAS = re.compile(r"replica|instances|desired_?count|\b(min|max)_?size\b|autoscal", re.I)
# Data a service read and could not use: a record it cannot decode (a schema the writer changed), a value its
# type cannot hold (a NaN where a number was expected). About what was written, not the broker or library that
# carried it, nor the reader's own resources
BAD_DATA = re.compile(
    r"\bdeserializ|SerializationException|AvroTypeException|unknown magic byte|schema (mismatch|incompatib)"
    r"|\b(cannot|could not|failed to|unable to) (decode|parse|convert)\b|JSONDecodeError|InvalidProtocolBufferException"
    r"|unexpected (token|end of (json )?input)|malformed (record|message|json|payload|data)"
    # a value a number was expected in that is none (`nav=N.A. reason='not a number'`)
    r"|\bnot a (valid )?number\b",
    re.I,
)
# A setting of how many things one instance does at once: each concurrent run, worker or thread holds its own
# connections (Airflow's max_active_runs, Celery's and Gunicorn's workers, Sidekiq's concurrency, a parallelism)
CONCURRENCY = re.compile(
    r"concurren|parallelism|\bworkers\b|\bthreads\b|max_?active_?(runs|tasks)|max_?in_?flight|\bpool_?size\b"
    # ... or a worker's command line saying it (Sidekiq's and Celery's `-c 25`, Gunicorn's `-w 4`)
    r"|(?:^|\s)(?:-c|-w|--concurrency|--workers|--threads)[ =]\d",
    re.I,
)
# A database saying a transaction left open holds back its cleanup (PostgreSQL's vacuum: the oldest xmin far in
# the past, dead rows not yet removable; a session idle in a transaction): who holds it open is not said
HELD_OPEN = re.compile(
    r"oldest xmin is far in the past|dead but not yet removable|close open transactions"
    r"|idle[- ]in[- ]transaction|long[- ]running transaction",
    re.I,
)
# Shared infrastructure a caller's errors name by kind, not by name: what the errors say failed, and
# how a catalogued service of that kind is named (a cluster's DNS server; a coordination service)
DATABASE_NAME = re.compile(r"(^|[-_.])(db|database|pg|postgres(ql)?|mysql|mariadb|galera|sql)([-_.\d]|$)", re.I)
# A consumer that cannot decode what it read: its deserializer met bytes of another format or a schema it does
# not know (Confluent's serializers' magic byte, Kafka's SerializationException, protobuf's parser, Avro's
# readers): what was sent changed, not the consumer
UNDECODABLE = re.compile(
    r"\bmagic byte\b|\b\w*Deserializ\w*(Error|Exception)\b|\b(failed|unable|could not) (to )?deserializ"
    r"|\berror deserializing\b|\bSerializationException\b|\bInvalidProtocolBufferException\b"
    r"|\bAvroTypeException\b",
    re.I,
)
# A service saying its cache did not have what it looked up (a miss), so it does the work the cache saved it
CACHE_MISSED = re.compile(
    r"\bcache[-_ ]?miss(es|ed)?\b|\bmissed (the |its )?cache\b|\bnot (found )?in (the )?cache\b", re.I
)
# Where a service keeps data, not where it reads data from: a database, an object store or bucket, a cache
STORE_NAME = re.compile(
    DATABASE_NAME.pattern + r"|[a-z]db([-_.\d]|$)|object[-_]?stor|bucket|(^|[-_.])(s3|gcs|blob)([-_.]|$)|cache|redis"
    r"|memcache",
    re.I,
)  # (tsdb, influxdb, mongodb as well as orders-db)
# ... and how its callers' errors name a database by kind ("connection to origin database failed", "DB is
# overloaded", a PostgreSQL or MySQL client's own words), or by the port only a database listens on (an
# address refused at :5432 is PostgreSQL's; MySQL's 3306, SQL Server's 1433, Oracle's 1521)
DATABASE_SAID = re.compile(r"\b(database|db|postgres(ql)?|mysql|mariadb)\b|:(5432|3306|1433|1521)\b", re.I)
INFRASTRUCTURE: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (UNRESOLVED, re.compile(r"(^|[-_.])[a-z]*dns([-_.]|$)", re.I)),
    (SESSION_LOST, re.compile(r"zoo-?keeper|etcd|consul|(^|[-_.])zk([-_.\d]|$)|(^|-)keeper(-|$)", re.I)),
    (SERVER_LIMIT, DATABASE_NAME),
    (NOT_SERVING, DATABASE_NAME),
)
# What only a certificate authority serves: the revocation status of its certificates (OCSP responses,
# revocation lists), and how a catalogued certificate authority is named
AUTHORITY_SERVICE = re.compile(r"\bOCSP\b|\bCRL\b|certificate revocation list", re.I)
AUTHORITY_NAME = re.compile(r"(^|[-_.])(ca|pki|certificate-authority|letsencrypt|lencr)([-_.]|$)", re.I)
# Words that say a service's own resource ran out because it waited on another: "thread pool
# exhausted waiting on accounts-db" is about accounts-db's slowness, not this service's pool.
# A synchronous call into a process of the program's own (Elixir's GenServer.call, Erlang's gen_server:call)
# that timed out: the target is named by its module, which a service's own code names after the service
OWN_PROCESS_CALL = re.compile(r"\b(?:GenServer\.call|:?gen_server[.:]call)\(\s*(?P<target>[A-Za-z][\w.]*)")
# a call that ran out of its time, whoever was slow: the caller's own deadline (Go's context, gRPC's status), a
# socket's timeout
TIMED_OUT = re.compile(r"deadline exceeded|\bDEADLINE_EXCEEDED\b|\btimed? ?out\b|\bETIMEDOUT\b", re.I)
WAITING_ON = re.compile(r"\b(waiting|blocked|stuck|queued) (on|for|behind) ", re.I)
# A database's own log of its writes, kept until nothing needs it (PostgreSQL's WAL, MySQL's binary and relay
# logs, Oracle's online redo): a volume it fills is freed by keeping less of it, not by a bigger disk it fills again
RETAINED_LOG = re.compile(r"pg_wal|pg_xlog|\bbinlog\b|binary log(s|ging)?\b|relay[-_ ]?log|\bredo log", re.I)
# A write that failed to a log file of the program's own (`/var/log/app/app.log`, Apache's `logs/error_log`):
# what filled that volume is its logging, freed by logging less and rotating, not by a bigger disk it fills again
# (only in a line that says the device is full: a request's path can name logs too)
OWN_LOG_FILE = re.compile(r"/\S*(/logs?/|\.log\b)", re.I)
DEVICE_FULL = re.compile(r"No space left on device|\bENOSPC\b|\bErrno 28\b|\bdisk (is )?full\b", re.I)
# Scratch space: what a process writes there is its own for the while it runs (a function's /tmp, a pod's
# ephemeral storage or emptyDir, shared memory); full, a new instance starts with it empty
SCRATCH = re.compile(r"(?<![\w/.-])/(?:var/)?tmp/|/dev/shm/|ephemeral.?storage|\bemptyDir\b", re.I)
# A server saying it reached a limit on its workers that is a setting of its own (Apache's MaxRequestWorkers,
# PHP-FPM's pm.max_children, nginx's worker_connections): with processors to spare, that setting is what
# turns requests away, and raising it is the fix; with processors pinned, it is not
WORKER_SETTING = re.compile(
    r"\breached (the )?[\w.]+ setting\b|\bconsider raising\b|worker_connections are not enough", re.I
)
# An account its store locked (Oracle's ORA-28000, "account is locked" after too many failed logins): it is
# unlocked before anything is restarted (a restart only logs in again, and fails)
ACCOUNT_LOCKED = re.compile(r"\baccount (is |has been |was )?locked\b|ORA-28000", re.I)
# A secrets store a service is issued its credentials by, as estates name it (Vault, OpenBao, Conjur, a cloud's
# secrets manager or key vault)
SECRETS_STORE = re.compile(r"vault|secret|openbao|conjur|infisical", re.I)
# A refusal that says the credential itself lapsed or is blocked (its expiry, a certificate, a lock): renewed or
# unlocked where it is kept, which reading it again does not do
LAPSED = re.compile(r"expir|certificat|x509|\bTLS\b|\blocked\b|ORA-28000", re.I)
# A verifier lacking the key new tokens are signed with, from an issuer that publishes its keys (a JWKS
# endpoint): it holds a stale copy of the key set, which a restart fetches again
# (Microsoft.IdentityModel's IDX10501 and IDX10503 and its SecurityTokenSignatureKeyNotFoundException, PyJWT's
# PyJWKClientError, a kid not in a cached key set)
STALE_KEYS = re.compile(rf"{_NO_SIGNING_KEY}|\bJWKS\b", re.I)
STREAM_LIMIT = re.compile(_STREAM_LIMIT, re.I)
# A scheduler finding no room to place work: Nova's NoValidHost and Placement's empty answer, Kubernetes'
# `0/6 nodes are available: 6 Insufficient cpu`, Nomad's exhausted dimension, ECS's task no instance can take
NO_ROOM = re.compile(
    r"No valid host was found|\bNoValidHost\b|no allocation candidates|\b\d+/\d+ nodes are available\b"
    r"|\bInsufficient (cpu|memory|pods|nvidia\.com/gpu)\b|\bDimension \W?\w+\W? exhausted on \d+ nodes?"
    r"|no container instance met all of its requirements",
    re.I,
)
# A setting of how much room a scheduler has to place work on the hosts it sets: an overcommit ratio, what a host
# keeps back for itself, how many pods a node takes, a node pool's size
ROOM_SETTING = re.compile(
    r"allocation[_-]?ratio|reserved[_-]host[_-](memory|disk|cpus?)|\bmax[_-]?pods\b|\b(kube|system)[_-]?reserved\b"
    r"|\b(node|desired)[_-]?(count|capacity)\b|\b(min|max)[_-]?size\b",
    re.I,
)
# A setting of how long a store keeps what it is given: a time to live, an expiry, a retention, an eviction policy
KEEPING = re.compile(r"\b(?:ttl|time[-_ ]?to[-_ ]?live|expir\w*|retention\w*|(?:no)?evict\w*|max[-_]?age)\b", re.I)
USAGE_QUOTA = re.compile(_USAGE_QUOTA, re.I)
TOKEN_TOO_EARLY = re.compile(_TOO_EARLY, re.I)
UNTRUSTED_CERT = re.compile(_UNTRUSTED, re.I)
# A change that moved which node takes writes: a failover, a switchover, a promotion
FAILOVER = re.compile(r"fail-?over|switch-?over|promot|\b(primary|master|leader|writer)\b", re.I)
# A write refused because the node it reached takes none (a client still holding the old primary after a
# failover): Redis, PostgreSQL, MySQL, MongoDB, Kafka, etcd
READ_ONLY = re.compile(
    r"read.?only replica|ReadOnlyError|\bREADONLY\b|read-only transaction|--read-only option|super-read-only"
    r"|NotWritablePrimary|\bnot (the )?(primary|master|leader)\b|no longer (the )?(primary|master|leader)"
    r"|NOT_LEADER",
    re.I,
)
# A metrics store speaking of its series (Prometheus' TSDB and WAL, VictoriaMetrics' and Mimir's series limits)
SERIES_STORE = re.compile(r"\b(series|tsdb|TSDB|WAL)\b|cardinality", re.I)
# An added line that labels a metric by an id (a user's, a vehicle's, a request's): every id a new series.
# Rust's metrics macros, prometheus_client's labelnames, Go's *Vec label lists, Micrometer's tags, .labels(x_id=)
PER_ID_LABEL = re.compile(
    r"(\b([Hh]istogram|[Cc]ounter|[Gg]auge|[Ss]ummary|[Mm]etric\w*|labelnames|[Tt]ags?|[A-Z]\w*Vec)\b[^\n]*?"
    r"[\"'](\w+[_.-]id|\w+Id|id)[\"'])|\blabels\([^)\n]*\b\w+_id\s*="
)
# A host's own clock that cannot keep time: chrony, ntpd, systemd-timesyncd
CLOCK_UNSYNCED = re.compile(
    r"can'?t synchroni[sz]e|no selectable sources|clock (is )?unsynchroni[sz]ed|time (is )?not synchroni[sz]ed"
    r"|no servers can be used|kernel reports TIME_ERROR|System clock wrong",
    re.I,
)
# A store too busy to answer its users, as they quote it: there, and slow or refusing for load (not a timeout
# alone, which a store that is down gives as readily)
BUSY = re.compile(
    r"\boverloaded\b|\block(ed)?\b|lock wait|deadlock|queued|too long|\bbusy\b|slow (query|statement)", re.I
)
# Words in errors that say a lock or slow statement, not a missing resource, holds things up.
# a statement that waited on a lock another session held, or gave up waiting: PostgreSQL's lock_timeout (55P03) and
# log_lock_waits, MySQL's innodb_lock_wait_timeout, SQL Server's lock timeout (not a deadlock: there each is both)
LOCK_WAITED = re.compile(
    r"\block timeout\b|lock wait timeout|still waiting for \w*Lock\b|could not obtain lock|\bLockNotAvailable\b"
    r"|\b55P03\b|Lock request time ?out",
    re.I,
)
# a broker at its memory or disk alarm, which blocks every publishing connection until it clears (RabbitMQ's
# `memory resource limit alarm set`, `Publishers will be blocked until this alarm clears`)
BROKER_ALARM = re.compile(
    r"\b(memory|disk)( resource)?( limit)? alarm\b|free disk space alarm|publishers will be blocked", re.I
)
LOCKS = re.compile(r"lock|deadlock|slow (query|statement)|duration: \d", re.I)
# a per-process or per-user kernel limit reached: open files, or inotify instances (each file watcher one)
INOTIFY = re.compile(_INOTIFY, re.I)
FD_LIMIT = re.compile(rf"too many open files|\bEMFILE\b|\bENFILE\b|{_INOTIFY}", re.I)
# Out of local ports for new connections (EADDRNOTAVAIL): the caller opens a connection per request and the
# closed ones wait out TIME_WAIT holding every port to that address; reusing connections is the fix.
LOCAL_PORTS = re.compile(r"cannot assign requested address|\bEADDRNOTAVAIL\b|\bAddress not available\b", re.I)
MEMORY = re.compile(r"OOMKilled|out of memory|OutOfMemory|heap space|MemoryError", re.I)
# A store that refuses writes at its configured memory limit is full of what it holds, not leaking:
# Redis/Valkey's maxmemory, RabbitMQ's memory alarm, Elasticsearch's breaker, memcached storing.
HELD_DATA = re.compile(
    r"maxmemory|memory[ _]high[ _]watermark|memory (resource limit )?alarm|Data too large|out of memory storing", re.I
)


# A time of day as loggers stamp it (`16:08:05,429`, `03:41:00.503Z`): its milliseconds are no status code
CLOCK_TIME = re.compile(r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?(?!\d)")


def without_clock(text: str) -> str:
    """The line without the times of day its format stamps on it, which say nothing about the cause."""
    return CLOCK_TIME.sub("<time>", text)


# Categories whose words say what failed (not merely that a call did): evidence at any log level
STATED_FAILURES: tuple[Category, ...] = ("expired_credential", "permission_denied", "resource_exhaustion")
# the failures that refuse a connection or request for what the caller presented: no pool outlasts them
REFUSALS: tuple[Category, ...] = ("expired_credential", "permission_denied")
# a pool of connections with none to hand out (HikariCP's, c3p0's, database/sql's, SQLAlchemy's words)
POOL_DRY = re.compile(
    r"pool (is )?exhausted|connection is not available|waiting for (a )?connection|no (available|idle|free) "
    r"connections?|(could not|unable to|failed to) (get|obtain|acquire) (a )?(jdbc |database )?connection"
    r"|timeout (waiting for|acquiring) (a )?connection",
    re.I,
)


# A request log with no text of its own reads as the status it served (`status=503`, appended by read_logs):
# that a request failed, not why
_STATUS_ONLY = re.compile(r"(?:\s*status=\S+)+\s*")


# a line saying nothing arrived for a stretch (`no sentences from 153.44.253.27:5631 for 120 s`, `no sentences arrived
# within 60 s`, `no heartbeat for 30s`; a dot inside an address is not a sentence's end): how long, as a number and
# its unit
SILENT_FOR = re.compile(
    r"\b(?:no|nothing)\b(?:[^.;]|\.\S){0,60}?\b(?:for|within) (\d+(?:\.\d+)?) ?"
    r"(s|secs?|seconds?|m|mins?|minutes?)\b",
    re.I,
)


def silent_for(text: str) -> timedelta:
    """How long before a line the silence it reports began (SILENT_FOR; none: zero)."""
    m = SILENT_FOR.search(text)
    if m is None:
        return timedelta(0)
    n, unit = float(m.group(1)), m.group(2).lower()
    return timedelta(minutes=n) if unit[0] == "m" else timedelta(seconds=n)


def classify(text: str) -> Category | None:
    """The category a log line's words state, or None; a served status alone states none."""
    if _STATUS_ONLY.fullmatch(text):
        return None
    for cat, rx in CATEGORY_PATTERNS:
        if rx.search(text):
            return cat
    return None


# a change to how a service reaches others: its egress rules, proxy, hosts, endpoints, name resolution; or to how
# the network carries every packet between nodes (the CNI's tunnel or its encryption, the MTU)
REACH = re.compile(
    r"egress|network.?polic|firewall|security.?group|\bcidrs?\b|allow.?list|\bproxy\b|no_proxy|\bhosts?\b"
    r"|endpoint|\bdns\b|resolv|\broutes?\b"
    r"|\bmtu\b|wireguard|\bipsec\b|\btunnel(ing)?\b|\bvxlan\b|\bgeneve\b|encapsulation|\bcni\b",
    re.I,
)


def reaches(*texts: str | None) -> bool:
    """Whether a change's from, to and diff touch how traffic leaves or is routed (REACH)."""
    return bool(REACH.search(" ".join(t or "" for t in texts)))


# a change to who may call a service: a mesh's intentions or authorization policy, an ACL, an allow or deny list
ADMITS = re.compile(
    r"intentions?\b|authori[sz]ation.?polic|\bacls?\b|\brbac\b|allow.?list|deny.?list|\bdefault.?deny\b"
    r"|\ballowed.?(callers|clients|principals|sources)\b|\bpeer.?authentication\b",
    re.I,
)


def admits(*texts: str | None) -> bool:
    """Whether a change's from, to and diff set who may call the service (ADMITS)."""
    return bool(ADMITS.search(" ".join(t or "" for t in texts)))


# a request refused for the rate or concurrency it came at, by a limit the caller shares with others (an
# account's concurrency, a cloud API's request quota, a provider's rate limit)
THROTTLED = re.compile(
    r"rate exceeded|too many requests|\b429\b|throttl|TooManyRequests|rate.?limit|quota exceeded|\bSlowDown\b"
    r"|RequestLimitExceeded|ProvisionedThroughputExceeded",
    re.I,
)
# a request turned away on purpose by what stands in front of a service (a WAF, a gateway's policy, a rate
# limiter, an allow-list): ModSecurity, nginx's deny and limit_req, Envoy's RBAC and ext_authz, AWS WAF
REFUSED = re.compile(
    r"access denied|request (was )?(denied|blocked|rejected)|\bblocked\b|\bdenied\b|limiting requests"
    r"|rbac_access_denied|ext_authz_denied|forbidden by rule|\b(blocked|denied) by\b",
    re.I,
)
# a server's own record of a client whose TLS handshake failed (HAProxy's "SSL handshake failure", nginx's "SSL_do_
# handshake() failed", Envoy's "TLS error", OpenLDAP's "TLS negotiation failure"): a request turned away at the door,
# which servers file at info
HANDSHAKE_FAILED = re.compile(
    r"\b(SSL|TLS) handshake (failure|failed|error)|SSL_do_handshake\(\) failed|handshake (failure|failed) with client"
    r"|\bTLS error: \d+:|\bTLS negotiation failure\b",
    re.I,
)
# a caller that could not reach the other side at all: no connection made, no route, refused
UNREACHED = re.compile(
    r"connect(ion)? ?time(d)? ?out|timed out (while )?connecting|without establishing a connection|\bETIMEDOUT\b"
    r"|\bEHOSTUNREACH\b|\bENETUNREACH\b|no route to host|network is unreachable"
    r"|(could not|couldn't|can't|cannot|failed to|unable to) connect|connection refused|\bECONNREFUSED\b",
    re.I,
)

# a server refusing a client's login, in the server's words (PostgreSQL's, MySQL's, SQL Server's, Redis'): the
# credential refused is the client's; the server says only that it does not accept it
LOGIN_REFUSED = re.compile(
    r"authentication failed for user|Access denied for user|Login failed for user|\bWRONGPASS\b"
    r"|invalid username-password pair"
    # RabbitMQ's broker (`PLAIN login refused: user 'x' - invalid credentials`) and its clients (`ACCESS_REFUSED -
    # Login was refused using authentication mechanism PLAIN`)
    r"|\blogin (was )?refused\b",
    re.I,
)

# a dependency out of what its clients use up (connections, client slots, their rate or quota): the clients
# that filled it are the suspects, even when their errors repeat the dependency's own
CONSUMED = re.compile(
    r"too many (connections|clients)|max(imum)? number of clients|remaining connection slots|connection limit"
    r"|max_connections|rate.?limit|quota exceeded|throttl",
    re.I,
)

# level words a logging format repeats on every line: not what a message says
_FORMAT_WORDS = {"error", "err", "warn", "warning", "info", "fatal", "level", "severity", "lvl", "msg", "message"}


ECHO_WORDS = 4  # words a message must share with another's to repeat it (the format's own are not counted)


def echoes(cause: str, effect: str) -> bool:
    """The effect's text repeats the cause's own message (a driver quoting the database's error, a
    client wrapping the server's reply): a run of at least ECHO_WORDS words in common, not only the
    logging format both use."""
    m = SequenceMatcher(None, cause, effect, autojunk=False).find_longest_match(0, len(cause), 0, len(effect))
    run = cause[m.a : m.a + m.size]
    words = [x for x in re.findall(r"[A-Za-z]{3,}", run) if x.lower() not in _FORMAT_WORDS]
    return len(words) >= ECHO_WORDS
