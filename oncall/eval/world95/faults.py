"""World 95's faults, from carrier, release, load, provider and permission incidents at a contact centre, in its
engineers' words: the carrier rotated the SIP trunk's password on its 90-day policy and Asterisk's registration
and every outbound call are refused (set the new password); a dialplan release sent the IVR's sales option to a
context that does not exist, and those calls drop (roll it back); a CRM release made the screen pop a full scan,
and the agent API's retries tripled the CRM's load and took the database's CPU (roll it back); Wasabi's uploads
failing for hours, the call-recording spool on Asterisk's volume filling (Wasabi's: escalate); an admin tidying
Meta's Business Manager removed the WhatsApp system user's access, and no WhatsApp message is sent (give it back);
and Monday's opening (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record

STACK_FILE = "stacks/{svc}/docker-compose.yml"


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team's GitLab pipeline records it: the job's command, or the stack file's diff it deployed."""
    path = STACK_FILE.format(svc=svc)
    if not code:
        code = (
            f"--- a/{path}\n+++ b/{path}\n-      {key}: {old}\n+      {key}: {new}\n"
            if kind == "config"
            else f"docker service update --image registry.falaai.com.br/atende/{svc}:{new} atende_{svc}  # was {old}\n"
        )
    return change_record(at, svc, kind, key, old, new, who, ref=f"pipeline #{rng.randint(180000, 189999)}", diff=code)


def sip_trunk_password(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 11) * M
    f = Fault(
        "sip_trunk_password",
        "asterisk",
        "expired_credential",
        "config_change",
        "asterisk",
        "OutboundCallsFailing",
        "the carrier rotated the SIP trunk's digest password on its 90-day policy (the notice went to an old "
        "mailbox); Asterisk's registration is refused and every outbound call is rejected; set the new password in "
        "the trunk's auth section and reload PJSIP",
        also_accept=["permission_denied"],
    )
    f.effects += [Effect("asterisk", "error_ratio", at, 0.45, relative=False)]
    f.bursts += [
        Burst("asterisk", at, 0.5, "warn", "[{n}{k}4] res_pjsip_outbound_registration.c: Fatal response '403' received "
              "from 'sip:sip.fluxtelecom.com.br' on registration attempt to 'sip:4130559000@sip.fluxtelecom.com.br', "
              "stopping outbound registration"),
        Burst("asterisk", at, 5, "warn", "[{n}{k}5][C-0000{k}{n}c7] res_pjsip_outbound_authenticator_digest.c: "
              "Failed to authenticate INVITE to 'sip:55119{k}{n}7{k}0{n}@sip.fluxtelecom.com.br': 403 Forbidden "
              "(Invalid credentials)"),
        Burst("asterisk", at, 5, "info", "[{n}{k}5][C-0000{k}{n}c7] app_dial.c: Everyone is busy/congested at this "
              "time (1:0/1/0)"),
        Burst("agent-api", at + M, 3, "warn", "request_id=F{h8} | click-to-call for agente-{k}{n} failed: "
              "originate response Error (Originate failed)"),
    ]  # fmt: skip
    f.failing_calls.append(("asterisk", "sip-trunk"))
    return f


def dialplan_release(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "dialplan_release",
        "asterisk",
        "recent_change",
        "rollback",
        "asterisk",
        "CallsDroppedInIvr",
        "asterisk-config 5.4.0 renamed the sales context to vendas-{client} but the IVR's option 2 still sends "
        "callers to ura-vendas, which no longer exists; every caller choosing sales is hung up on; roll the "
        "config image back to 5.3.2",
    )
    code = (
        "docker service update --image registry.falaai.com.br/atende/asterisk:5.4.0 atende_asterisk  # was 5.3.2\n"
        "--- a/asterisk/extensions.conf\n+++ b/asterisk/extensions.conf\n-[ura-vendas]\n+[vendas-clinica-vida]\n"
    )
    f.changes.append(change(at - 3 * M, "asterisk", "deploy", "image", "5.3.2", "5.4.0", rng, "gitlab-ci", code))
    f.effects += [
        Effect("asterisk", "error_ratio", at, 0.22, relative=False),
        Effect("agent-api", "request_rate", at, 0.8),
    ]
    f.bursts += [
        Burst("asterisk", at, 4, "warn", "[{n}{k}6][C-0000{n}{k}d3] pbx.c: Channel 'PJSIP/tronco-0000{n}{k}1a' sent "
              "to invalid extension but no invalid handler: context,exten,priority=ura-vendas,s,1"),
        Burst("ura", at, 4, "warn", '{"level":40,"time":{ms},"pid":1,"hostname":"{cid}","call":"C-0000{n}{k}d3",'
              '"msg":"caller hung up before reaching a queue","option":2}'),
    ]  # fmt: skip
    return f


def screenpop_retry_storm(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "screenpop_retry_storm",
        "crm",
        "recent_change",
        "rollback",
        "postgres",
        "PostgresCpuHigh",
        "crm 4.13.0 looks the caller up by a normalised phone number (regexp_replace on the column), a full scan of "
        "the contacts; each screen pop takes 4 s, the agent API times out at 2 s and retries three times, tripling "
        "the CRM's requests and taking PostgreSQL's CPU; roll crm back to 4.12.3",
    )
    f.changes.append(change(at - 4 * M, "crm", "deploy", "image", "4.12.3", "4.13.0", rng, "gitlab-ci"))
    f.effects += [
        Effect("crm", "latency_p99", at, 30.0),
        Effect("crm", "request_rate", at + M, 3.2),
        Effect("postgres", "cpu_utilization", at, 0.96, relative=False),
        Effect("postgres", "latency_p99", at, 12.0),
        Effect("agent-api", "latency_p99", at + M, 5.0),
        Effect("agent-api", "error_ratio", at + 2 * M, 0.06, relative=False),
    ]
    f.bursts += [
        Burst("crm", at, 4, "warn", "crm.screenpop slow screen pop 4{n}{k} ms for call C-0000{k}{n}a1 ({client})"),
        Burst("postgres", at, 3, "info", "LOG:  duration: 4{n}{k}.113 ms  statement: SELECT id, nome FROM "
              "crm_contato WHERE regexp_replace(telefone, '\\D', '', 'g') = '5511{k}{n}{k}{n}{k}'"),
        Burst("agent-api", at + M, 6, "warn", "request_id=F{h8} | screen pop for C-0000{k}{n}a1 timed out after "
              "2000ms (crm), retry {k}/3"),
    ]  # fmt: skip
    return f


def recordings_spool_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    began = t - rng.randint(170, 200) * M
    f = Fault(
        "recordings_spool_full",
        "wasabi",
        "dependency_failure",
        "escalate",
        "asterisk",
        "RecordingSpoolFilling",
        "Wasabi's endpoint has timed out every upload for three hours (their status page: degraded in the region); "
        "the recordings wait on Asterisk's spool volume, which is now 90% full; open a ticket with Wasabi and, if "
        "it fills, stop recording the non-regulated queues",
        also_accept=["resource_exhaustion"],
    )
    f.effects += [Effect("asterisk", "disk_utilization", began, 0.93, relative=False, ramp=t - began)]
    f.bursts += [
        Burst("recordings", began, 2, "error", 'msg="upload failed, will retry" file=/spool/C-0000{k}{n}a1.wav '
              'error="RequestError: send request failed\\ncaused by: Put \\"https://s3.sa-east-1.wasabisys.com/'
              'falaai-gravacoes/C-0000{k}{n}a1.wav\\": dial tcp 38.27.106.{k}:443: i/o timeout"', minutes=240),
        Burst("recordings", began + 5 * M, 0.2, "warn", 'msg="spool backlog growing" pending={n}{k}0 oldest=C-0000'
              '{k}{n}a1.wav', minutes=240),
    ]  # fmt: skip
    f.failing_calls.append(("recordings", "wasabi"))
    return f


def whatsapp_access_removed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "whatsapp_access_removed",
        "whatsapp-gw",
        "permission_denied",
        "config_change",
        "whatsapp-gw",
        "WhatsAppSendFailures",
        "an admin tidying Meta's Business Manager removed the system user whatsapp-gw's token belongs to from the "
        "WhatsApp Business Account; the token is valid but every send is refused with (#200) Permissions error; "
        "give the system user back its full control of the account",
    )
    f.effects += [Effect("whatsapp-gw", "error_ratio", at, 0.9, relative=False)]
    f.bursts += [
        Burst("whatsapp-gw", at, 5, "error", '{"time":"{iso}","level":"ERROR","msg":"send failed","client":"{client}",'
              '"status":403,"err":"graph api: (#200) Permissions error (OAuthException, code 200, fbtrace_id '
              'A{h8}Qz)"}'),
        Burst("agent-api", at + M, 2, "warn", "request_id=F{h8} | WhatsApp reply from agente-{k}{n} not delivered "
              "(gateway answered 502)"),
    ]  # fmt: skip
    f.failing_calls.append(("whatsapp-gw", "whatsapp-cloud"))
    return f


def monday_opening(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 16) * M
    f = Fault(
        "monday_opening",
        "agent-api",
        "no_incident",
        "none",
        "agent-api",
        "AgentApiLatencyHigh",
        "the lines open at 08:00 on Monday with the weekend's backlog: calls tripled in ten minutes, agent-api's "
        "p99 crossed its threshold until the on-call added replicas as the runbook says; nothing is wrong (no "
        "incident)",
    )
    f.changes.append(change(at + 4 * M, "agent-api", "scale", "replicas", "3", "6", rng, "plantao.joana",
                            "docker service scale atende_agent-api=6  # was 3\n"))  # fmt: skip
    f.effects += [
        Effect("agent-api", "request_rate", at, 2.8),
        Effect("traefik", "request_rate", at, 2.5),
        Effect("asterisk", "request_rate", at, 2.6),
        Effect("agent-api", "latency_p99", at, 1.7, until=at + 9 * M),
        Effect("agent-api", "cpu_utilization", at, 0.74, relative=False, until=at + 9 * M),
    ]
    f.bursts += [Burst("agent-api", at, 25, "info", "AMI event AgentConnect queue=fila-{client} agent=agente-{k}{n} "
                       "holdtime={k}{n}")]  # fmt: skip
    return f


FAULTS = [sip_trunk_password, dialplan_release, screenpop_retry_storm, recordings_spool_full, whatsapp_access_removed,
          monday_opening]  # fmt: skip
