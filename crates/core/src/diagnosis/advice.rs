//! What to do about each symptom, paraphrasing the voice troubleshooting guide
//! (Twilio, "How do I troubleshoot common problems with Twilio Client").

/// Latency ("Latency" section of the guide).
pub const DELAY: &[&str] = &[
    "Upgrade the internet connection: lower-bandwidth fixed connections often have higher latency.",
    "Stick to high-bandwidth connections; mobile networks such as LTE (4G) often have high latency.",
    "Avoid bufferbloat: configure the router with a low buffer size.",
];

/// Jitter and jitter-induced loss ("Jitter" section of the guide).
pub const JITTER: &[&str] = &[
    "Use wired Ethernet instead of Wi-Fi whenever possible.",
    "Reduce the number of devices operating on the same Wi-Fi channel.",
    "Avoid large file transfers on the same network while calls are running.",
    "Avoid bufferbloat: configure the router with a low buffer size.",
    "Configure router QoS rules to prioritise the media UDP ports.",
];

/// Packet loss: gaps and cut-outs ("Call audio cutting out or stops transmitting", and the
/// guide's note that loss is most often jitter-induced).
pub const LOSS: &[&str] = &[
    "Benchmark throughput and ping (e.g. speedtest.net) and aim to improve them.",
    "Enable router QoS or otherwise prioritise the voice traffic (media UDP ports).",
    "Reduce network activity not related to voice, or use a separate network for voice.",
    "Use wired Ethernet instead of Wi-Fi whenever possible.",
];

/// One-way audio ("No audio or one-way audio" section).
pub const ONE_WAY: &[&str] = &[
    "Check that the media UDP ports are open in both directions in the router, firewall and antivirus software.",
    "Confirm the hardware is attached and the right microphone and speakers are selected.",
    "Check the microphone is not muted (some have a hardware mute button) and the speaker volume is up.",
];

/// Audio that stops mid-call ("Call audio cutting out or stops transmitting").
pub const NO_AUDIO: &[&str] = &[
    "Check that the media UDP ports are open in the router, firewall and antivirus software.",
    "Benchmark throughput and ping (e.g. speedtest.net) and aim to improve them.",
    "Enable router QoS or otherwise prioritise the voice traffic (media UDP ports).",
];

/// Packets flow but carry digital silence ("No audio or one-way audio": the microphone).
pub const SILENCE: &[&str] = &[
    "Check the microphone is not muted (some have a hardware mute button).",
    "Confirm the hardware is attached and the right microphone is selected in the software settings.",
    "Adjust the microphone level in the computer's sound settings.",
];

/// Low MOS: the estimate combines loss, jitter and delay, so the network advice applies.
pub const LOW_MOS: &[&str] = &[
    "Use wired Ethernet instead of Wi-Fi whenever possible.",
    "Enable router QoS or otherwise prioritise the voice traffic (media UDP ports).",
    "Reduce network activity not related to voice, or use a separate network for voice.",
];

/// Stream irregularities: restarts, sequence jumps, codec changes ("Call audio is garbled or
/// contains artifacts": the sending device).
pub const ANOMALY: &[&str] = &[
    "Ensure the sending device has the CPU and memory to process the call (close unneeded applications).",
    "Check the sending phone or media server for restarts and re-INVITEs during the call.",
];

/// A sender clock that runs fast or slow against the receiver's: no network fault, but a
/// jitter buffer that does not compensate will drop or repeat audio every so often.
pub const DRIFT: &[&str] = &[
    "Check the sending device's audio clock and sample rate: a sound card or media server that records or resamples at a slightly wrong rate drifts like this (update its drivers or firmware).",
    "Where a gateway or media server relays or transcodes the call, synchronise its clock (NTP or PTP) and check its codec sample-rate settings.",
    "Use an endpoint whose adaptive jitter buffer compensates clock drift (time-stretching) rather than dropping or repeating frames.",
];
