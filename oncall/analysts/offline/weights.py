"""Every number the offline analyst scores with, named, each with the one-sentence reason
an SRE would give for it. Nothing here names a service, a scenario or a log message.

A `Weight` is a float (so arithmetic reads as before) that carries its reason; a `Span`
is a timedelta that does the same. `TABLE` lists them all, for docs and review."""

from __future__ import annotations

from datetime import timedelta


class Weight(float):
    reason: str

    def __new__(cls, value: float, reason: str) -> Weight:
        self = super().__new__(cls, value)
        self.reason = reason
        return self


class Span(timedelta):
    reason: str

    def __new__(cls, reason: str, *, minutes: float = 0, hours: float = 0) -> Span:
        self = super().__new__(cls, minutes=minutes, hours=hours)
        self.reason = reason
        return self


# -- what one finding is worth -----------------------------------------------------------------
SATURATION = Weight(2.0, "a resource at its limit (CPU, memory, disk, pool, restarts) is a cause an SRE acts on")
SYMPTOM = Weight(1.0, "errors and latency are what users feel: they say something broke, not what")
TRAFFIC = Weight(1.0, "more requests arriving is load: it explains saturation, not errors by itself")
IN_STEP = Weight(1.25, "a CPU that rose up to a quarter more than the requests it serves is doing their work")
RECOVERED = Weight(0.25, "a blip that ended before the window did explains little about an alert still firing")
NEAR_LIMIT = Weight(0.8, "a resource is near its limit from this share of it on; below, it is busier, not exhausted")
BELOW_LIMIT = Weight(0.25, "a share of its limit that rose but stayed well short of it is work, not exhaustion")
NEW_TEMPLATE = Weight(2.0, "an error never logged in the baseline is the strongest sign in the logs")
RISING_TEMPLATE = Weight(1.5, "an error that was rare and now floods is strong, but it existed before")
WARNING_SHARE = Weight(0.5, "a warning is half an error: services warn about what they survive")
INFO_SHARE = Weight(
    0.5, "a new line that names what failed counts as a warning whatever its level (nginx logs TLS failures at info)"
)
FLOOD_LINES = Weight(10, "a handful of lines is weaker evidence than a flood; ten lines count in full")
WORK_LINES = Weight(
    100, "a hundred new routine lines in the window are a run of work (a job logs each batch it sends), not a message"
)
K8S_WARNING = Weight(
    2.0,
    "a warning the cluster never raised in the baseline (OOMKilled, FailedScheduling) says what the workload suffers",
)
K8S_EVENTS = Weight(3, "one event can be a blip; three count in full")
K8S_ENDED = Span("a warning the cluster stopped raising this long before the window ended was a blip", minutes=10)
K8S_POD = Weight(1.0, "a pod's state says why it died or waits, but not since when")
TRACE_ORIGIN = Weight(2.0, "errors that begin in a service's own spans, not in anything it called, are its own")
TRACE_FAILURES = Weight(5, "a few failing traces can be one bad request; five count in full")
TRACE_RISE = Weight(3.0, "errors three times as frequent as in the baseline are news; fewer are the usual failures")
SLOW_CALLS = Weight(5.0, "calls five times slower at p99 than in the baseline are waiting on something broken")
TRACE_EDGE = Weight(1.0, "a caller's failing calls witness against the callee, as its error logs about it would")
CHANGE = Weight(3.0, "a change shortly before the breakage is the first thing an SRE checks")
HISTORY_MATCH = Weight(1.0, "a past incident of the same alert and service supports a cause")
HISTORY_WEAK = Weight(0.5, "a past incident matching only loosely supports it less")

STOPPED_REPORTING = Span("a service silent this long before the others' last samples stopped reporting", minutes=5)

# -- adjustments before scoring ----------------------------------------------------------------
UNCORROBORATED_LOGS = Weight(0.5, "errors that move none of a watched service's metrics are chatty, not failing")
CUT_OFF = Weight(
    0.5, "a dependency only its callers saw failing, right after they changed how they reach it, ranks below them"
)
LONE_TRAFFIC = Weight(0.5, "traffic that moves while nothing else does is the day's curve, not an incident")

# -- which change explains it ------------------------------------------------------------------
CHANGE_HORIZON = Span("changes older than a day are rarely the cause of what broke now", hours=24)
NEAR = Span("onsets this close together count as simultaneous (scrape and log timing differ)", minutes=2)
SILENCE_DATED = Span(
    "a line saying nothing arrived for a stretch up to this long dates the silence from its start", minutes=15
)
SAMPLE_LAG = Span("a rate's first abnormal sample can come this long after the requests began", minutes=1)
JUST_AFTER = Span("errors this soon after a neighbour's change can answer it", minutes=10)
RAMP = Span("a resource that took this long to reach its peak was filling, not stepped", minutes=10)
CONNECTIONS_DRAIN = Span(
    "a server's open connections fall over minutes after the way to it is cut, as its clients' pools let theirs go",
    minutes=10,
)
DRAWN_BACK = Weight(
    3,
    "a climb's start drawn back along its line is known within three of its standard errors, if no closer than "
    "JUST_AFTER",
)
LAG_CLOSE = Span("a change this close before the onset is very likely related", minutes=45)
LAG_MEDIUM = Span("a change within a few hours may need traffic to reach the broken path", hours=3)
LAG_CLOSE_FACTOR = Weight(1.0, "a change minutes before the onset counts in full")
LAG_MEDIUM_FACTOR = Weight(0.75, "a change hours before the onset counts less")
LAG_FAR_FACTOR = Weight(0.5, "a change most of a day before the onset counts half")
CLOCK_SKEW = Span("a deploy system's clock and a log shipper's differ by seconds, not a minute", minutes=0.5)
FIRST_ERROR_AFTER = Span("errors that start within half an hour of a change follow from it", minutes=30)
COHERENT_CHANGE = Weight(1.5, "errors that begin within half an hour of a change follow from it")
REPEATED_IN_ERRORS = Weight(
    3.0, "a change whose words or values the errors repeat is tied to them more surely than by timing alone"
)
CHANGE_WITH_DIFF = Weight(0.5, "a change whose diff we can read can be checked and reverted")
SCALE_CHANGE = Weight(0.5, "a scaling event is usually a reaction to load, not a cause")
CHANGE_ON_SYMPTOM = Weight(0.3, "a change on a service whose errors name a failing dependency does not explain them")
FLOOD_FACTOR = Weight(3.0, "a caller sending three times its usual requests right after a change is flooding")
CHANGE_BEFORE_DEPENDENCY = Weight(
    0.5, "a change made hours before, on a service whose dependency broke first, explains the timing less well"
)
STATED_ELSEWHERE = Weight(
    0.25,
    "a release that only moved a version and ran clean past the hour explains less than another service's own "
    "errors, begun no later, that say what broke",
)
STRANGERS = Weight(2, "one service repeating a change's words can be chance; two failing right after it are not")
SCHEDULE_REACH = Span("a change that sets a schedule acts when it first fires, at most a day after it", hours=24)
CHANGE_BROKE_NEIGHBOURS = Weight(1.0, "a change its neighbours broke right after outranks each of them")
CLOCK_AHEAD = Weight(
    1.0, "a service whose own clock cannot synchronise outranks those rejecting its tokens as issued in the future"
)
CHANGE_NOT_FOLLOWED = Weight(
    1.0,
    "a user still holding what a dependency's change replaced, while other users came through, is the one to fix",
)
DISTINCT_VALUE = Weight(6, "a replaced value this long (an address, a host) is not found in errors by chance")
MEMORY_TAKEN = Weight(
    1.0, "a service whose memory filled its hosts outranks those the kernel's OOM killer took while theirs stayed flat"
)
CONNECTIONS_TAKEN = Weight(
    1.0, "a user busy at its limit before the store refused connections outranks the store and those waiting on it"
)
LOCKS_HELD = Weight(
    1.0, "a user of the store that got busy as statements began waiting on locks outranks those that waited"
)
BROKER_FILLED = Weight(
    1.0, "what stopped a broker's consumer draining it outranks the broker at its alarm and the publishers blocked"
)
SERIES_MULTIPLIED = Weight(
    1.0, "a change labelling a metric by an id outranks the metrics store whose memory its new series filled"
)
STRONG_CHANGE = Weight(2.5, "a change scoring this much is named as the cause")
SEVERAL_FOLD = Weight(3.0, "requests at this many times their baseline are a surge the service must absorb")
KEPT_UP = Weight(2.0, "under a surge and without errors, a p99 below this multiple of its baseline is load served")
RAN_THROUGH = Span(
    "a service healthy this long after a change, whose errors repeat none of its words, ran through it", minutes=45
)
RELEASE_RAN_THROUGH = Span(
    "a release takes effect as its instances roll (a secret or setting may wait for a TTL): healthy this long "
    "after one, it ran through it",
    minutes=30,
)

# -- a suspect's score -------------------------------------------------------------------------
SATURATION_CAP = Weight(3.0, "several saturated resources are one problem, not several")
SYMPTOM_EACH = Weight(0.5, "each symptom signal adds a little: they often move together")
SYMPTOM_CAP = Weight(1.0, "symptoms alone never outweigh a cause")
TRAFFIC_CAP = Weight(1.0, "load is context for a cause, never the whole of it")
OWN_LOGS_CAP = Weight(4.0, "a service's own new errors are strong, but one chatty service must not drown the rest")
PEER_LOGS_EACH = Weight(0.25, "errors about a peer say more about the peer than about this service")
PEER_LOGS_CAP = Weight(0.5, "errors about peers never make this service the cause")
HISTORY_BONUS = Weight(1.0, "a matching past incident tips a close call, never decides one")
BLAMED = Weight(2.0, "each other service whose errors name this one is a witness against it")
BLAMED_HEALTHY = Weight(
    0.5,
    "a witness against a service we watched and saw healthy counts little (unless its requests never reached "
    "the server: a failed handshake, a refused port, the proxy's no healthy upstream, never show in its metrics)",
)
WITNESS = Weight(
    1.0, "a peer's errors date or explain its failure only when new or a flood: a few already rising are background"
)
BLAMED_CAP = Weight(4.0, "many witnesses are one fact: this service is failing")
FIRST_TO_BREAK = Weight(1.5, "the service that broke first, along the dependency graph, is usually the cause")
EARLIEST = Weight(1.0, "the very first anomaly gets a little more")
CALLERS_BROKE_AFTER = Weight(1.0, "callers that broke after it are its effects")
SYMPTOM_OF_DEPENDENCY = Weight(2.5, "a service whose errors name a dependency that broke first is its victim")

# -- the category ------------------------------------------------------------------------------
HISTORY_VOTE = Weight(0.5, "history supports a category; it never decides one alone")
BLAMERS_VOTE = Weight(2.0, "callers failing on a service with no errors of its own: it is failing as a dependency")
CALLERS_SAY = Weight(1.5, "what callers say is wrong with it (an expired certificate, say) names the category")
LEGITIMATE_LOAD = Weight(1.0, "saturation with more traffic and no leak in the logs is capacity, not exhaustion")

# -- confidence and the no-incident call -------------------------------------------------------
RUNNER_UP_RATIO = Weight(0.7, "HIGH only when the runner-up scores well below the top suspect")
FELL_AWAY = Weight(0.5, "requests below half their baseline, and staying there, are users not reaching the service")
JUST_BEFORE = Span("what arrived this long before a fall is what the fall is measured against", minutes=15)
QUIET_SCORE = Weight(4.0, "below this, with no lasting symptom or error anywhere, the alert is noise")
BLIP_OVER = Span("errors that stopped this long before the alert fired, nothing else lasting, were a blip", minutes=5)

SLOWER = Weight(3.0, "a latency under three times its baseline, with nothing failing, is a modest slowdown")
QUEUEING = Weight(2.0, "a p99 under twice its baseline while the requests more than doubled is the load's queueing")

TABLE: dict[str, Weight | Span] = {
    name: value for name, value in dict(globals()).items() if isinstance(value, Weight | Span) and name.isupper()
}
