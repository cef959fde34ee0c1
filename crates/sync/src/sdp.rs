//! A data channel's session description, small enough for a QR code.
//!
//! Where there is no server, two devices find their direct channel by showing each other the
//! offer and the answer as QR codes. Chromium's description of a data channel is 650–750
//! bytes, almost all of it the same text every time; a QR code that size is dense and slow to
//! scan with a tablet's camera. Only a few values differ: the ICE username fragment and
//! password, the fingerprint of the DTLS certificate, the DTLS role, and the host candidates
//! (address or mDNS name, and port). [`Compact`] keeps exactly those, in about 100 bytes, and
//! writes a description again that browsers accept (checked in Chromium by the app's browser
//! tests). Anything else in a description (media, TCP candidates) is left out; a description
//! without what a data channel needs is refused.

use crate::Error;

/// The DTLS role (`a=setup:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setup {
    ActPass,
    Active,
    Passive,
}

/// Where a host candidate is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Address {
    V4([u8; 4]),
    V6([u8; 16]),
    /// `<uuid>.local`: the name Chromium gives instead of the address.
    Mdns([u8; 16]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub address: Address,
    pub port: u16,
}

/// The values that make a data channel's description. See the module docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compact {
    pub setup: Setup,
    pub ufrag: String,
    pub pwd: String,
    /// SHA-256 of the DTLS certificate.
    pub fingerprint: [u8; 32],
    pub candidates: Vec<Candidate>,
}

/// More candidates than this are dropped (a device has a handful of interfaces).
pub const MAX_CANDIDATES: usize = 8;
const VERSION: u8 = 1;

fn bad(what: &'static str) -> Error {
    Error::Malformed(what)
}

impl Compact {
    /// Takes the values out of a description as the browser made it.
    pub fn from_sdp(sdp: &str) -> Result<Compact, Error> {
        let mut setup = None;
        let mut ufrag = None;
        let mut pwd = None;
        let mut fingerprint = None;
        let mut candidates = Vec::new();
        let mut datachannel = false;
        for line in sdp.lines().map(str::trim) {
            if let Some(m) = line.strip_prefix("m=") {
                datachannel |= m.starts_with("application ") && m.ends_with("webrtc-datachannel");
            } else if let Some(v) = line.strip_prefix("a=setup:") {
                setup = Some(match v {
                    "actpass" => Setup::ActPass,
                    "active" => Setup::Active,
                    "passive" => Setup::Passive,
                    _ => return Err(bad("sdp: setup")),
                });
            } else if let Some(v) = line.strip_prefix("a=ice-ufrag:") {
                ufrag = Some(ice_chars(v, 4)?);
            } else if let Some(v) = line.strip_prefix("a=ice-pwd:") {
                pwd = Some(ice_chars(v, 22)?);
            } else if let Some(v) = line.strip_prefix("a=fingerprint:sha-256 ") {
                fingerprint = Some(parse_fingerprint(v)?);
            } else if let Some(v) = line.strip_prefix("a=candidate:") {
                if let Some(c) = parse_candidate(v) {
                    if candidates.len() < MAX_CANDIDATES && !candidates.contains(&c) {
                        candidates.push(c);
                    }
                }
            }
        }
        if !datachannel {
            return Err(bad("sdp: no data channel"));
        }
        Ok(Compact {
            setup: setup.ok_or(bad("sdp: no setup"))?,
            ufrag: ufrag.ok_or(bad("sdp: no ice-ufrag"))?,
            pwd: pwd.ok_or(bad("sdp: no ice-pwd"))?,
            fingerprint: fingerprint.ok_or(bad("sdp: no sha-256 fingerprint"))?,
            candidates,
        })
    }

    /// A description with these values that a browser takes as the remote one.
    pub fn to_sdp(&self) -> String {
        let mut s = String::with_capacity(700);
        s.push_str("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
        s.push_str("a=group:BUNDLE 0\r\na=msid-semantic: WMS\r\n");
        s.push_str("m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n");
        for (i, c) in self.candidates.iter().enumerate() {
            // Host candidates, the first preferred (the order the browser gave).
            let priority = 2_113_937_151u32.saturating_sub(i as u32);
            s.push_str(&format!(
                "a=candidate:{} 1 udp {priority} {} {} typ host generation 0\r\n",
                i + 1,
                address_text(&c.address),
                c.port
            ));
        }
        s.push_str(&format!(
            "a=ice-ufrag:{}\r\na=ice-pwd:{}\r\n",
            self.ufrag, self.pwd
        ));
        let hex: Vec<String> = self
            .fingerprint
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect();
        s.push_str(&format!("a=fingerprint:sha-256 {}\r\n", hex.join(":")));
        let setup = match self.setup {
            Setup::ActPass => "actpass",
            Setup::Active => "active",
            Setup::Passive => "passive",
        };
        s.push_str(&format!(
            "a=setup:{setup}\r\na=mid:0\r\na=sctp-port:5000\r\n"
        ));
        s.push_str("a=max-message-size:262144\r\n");
        s
    }

    /// The values as bytes (about 100).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        out.push(VERSION);
        out.push(match self.setup {
            Setup::ActPass => 0,
            Setup::Active => 1,
            Setup::Passive => 2,
        });
        for s in [&self.ufrag, &self.pwd] {
            // Both are checked to be short when parsed (`ice_chars`).
            out.push(u8::try_from(s.len()).unwrap_or(u8::MAX));
            out.extend_from_slice(&s.as_bytes()[..s.len().min(255)]);
        }
        out.extend_from_slice(&self.fingerprint);
        out.push(self.candidates.len().min(MAX_CANDIDATES) as u8);
        for c in self.candidates.iter().take(MAX_CANDIDATES) {
            match c.address {
                Address::V4(a) => {
                    out.push(4);
                    out.extend_from_slice(&a);
                }
                Address::V6(a) => {
                    out.push(6);
                    out.extend_from_slice(&a);
                }
                Address::Mdns(a) => {
                    out.push(0x6d);
                    out.extend_from_slice(&a);
                }
            }
            out.extend_from_slice(&c.port.to_be_bytes());
        }
        out
    }

    /// Reads [`Compact::encode`]'s bytes; anything else is an error, never a panic.
    pub fn decode(bytes: &[u8]) -> Result<Compact, Error> {
        let mut r = Reader(bytes);
        if r.byte()? != VERSION {
            return Err(bad("compact description: version"));
        }
        let setup = match r.byte()? {
            0 => Setup::ActPass,
            1 => Setup::Active,
            2 => Setup::Passive,
            _ => return Err(bad("compact description: setup")),
        };
        let ufrag = r.short_text()?;
        let ufrag = ice_chars(&ufrag, 4)?;
        let pwd = r.short_text()?;
        let pwd = ice_chars(&pwd, 22)?;
        let fingerprint = r.array::<32>()?;
        let count = usize::from(r.byte()?);
        if count > MAX_CANDIDATES {
            return Err(bad("compact description: candidates"));
        }
        let mut candidates = Vec::with_capacity(count);
        for _ in 0..count {
            let address = match r.byte()? {
                4 => Address::V4(r.array::<4>()?),
                6 => Address::V6(r.array::<16>()?),
                0x6d => Address::Mdns(r.array::<16>()?),
                _ => return Err(bad("compact description: address")),
            };
            let port = u16::from_be_bytes(r.array::<2>()?);
            candidates.push(Candidate { address, port });
        }
        if !r.0.is_empty() {
            return Err(bad("compact description: trailing bytes"));
        }
        Ok(Compact {
            setup,
            ufrag,
            pwd,
            fingerprint,
            candidates,
        })
    }
}

/// Bytes read from the front.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, Error> {
        Ok(self.array::<1>()?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let Some((head, rest)) = self.0.split_first_chunk::<N>() else {
            return Err(Error::Truncated);
        };
        self.0 = rest;
        Ok(*head)
    }

    /// A length byte and that many bytes of UTF-8.
    fn short_text(&mut self) -> Result<String, Error> {
        let len = usize::from(self.byte()?);
        if self.0.len() < len {
            return Err(Error::Truncated);
        }
        let (text, rest) = self.0.split_at(len);
        self.0 = rest;
        String::from_utf8(text.to_vec()).map_err(|_| bad("compact description: text"))
    }
}

/// An ICE ufrag or password: ICE characters only (RFC 8445: ALPHA / DIGIT / "+" / "/"), at
/// least `min`, at most 255 of them, so that nothing else can be written into a description.
fn ice_chars(v: &str, min: usize) -> Result<String, Error> {
    let ok = (min..=255).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
    if ok {
        Ok(v.to_string())
    } else {
        Err(bad("sdp: ice credentials"))
    }
}

fn parse_fingerprint(v: &str) -> Result<[u8; 32], Error> {
    let mut out = [0u8; 32];
    let mut n = 0;
    for part in v.trim().split(':') {
        if n == 32 || part.len() != 2 {
            return Err(bad("sdp: fingerprint"));
        }
        out[n] = u8::from_str_radix(part, 16).map_err(|_| bad("sdp: fingerprint"))?;
        n += 1;
    }
    if n != 32 {
        return Err(bad("sdp: fingerprint"));
    }
    Ok(out)
}

/// A UDP host candidate (`foundation component udp priority address port typ host …`);
/// `None` for anything else.
fn parse_candidate(v: &str) -> Option<Candidate> {
    let parts: Vec<&str> = v.split_whitespace().collect();
    if parts.len() < 8 || !parts[2].eq_ignore_ascii_case("udp") || parts[1] != "1" {
        return None;
    }
    if parts[6] != "typ" || parts[7] != "host" {
        return None;
    }
    let port: u16 = parts[5].parse().ok()?;
    let host = parts[4];
    let address = if let Some(name) = host.strip_suffix(".local") {
        Address::Mdns(parse_uuid(name)?)
    } else if let Ok(ip) = host.parse::<std::net::Ipv4Addr>() {
        Address::V4(ip.octets())
    } else if let Ok(ip) = host.parse::<std::net::Ipv6Addr>() {
        Address::V6(ip.octets())
    } else {
        return None;
    };
    Some(Candidate { address, port })
}

fn parse_uuid(s: &str) -> Option<[u8; 16]> {
    let hex: String = s.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 || s.len() != 36 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn address_text(a: &Address) -> String {
    match a {
        Address::V4(a) => std::net::Ipv4Addr::from(*a).to_string(),
        Address::V6(a) => std::net::Ipv6Addr::from(*a).to_string(),
        Address::Mdns(a) => {
            let h: String = a.iter().map(|b| format!("{b:02x}")).collect();
            format!(
                "{}-{}-{}-{}-{}.local",
                &h[0..8],
                &h[8..12],
                &h[12..16],
                &h[16..20],
                &h[20..32]
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An offer as Chromium made it (headless, two host candidates with mDNS names).
    const OFFER: &str = "v=0\r\no=- 541310642371795636 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
a=group:BUNDLE 0\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS\r\n\
m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n\
a=candidate:1482264519 1 udp 2113937151 15bc3978-ea1b-4e8a-888d-b56da0ee19f6.local 52447 typ host generation 0 network-cost 999\r\n\
a=candidate:2470399527 1 udp 2113942271 5db78a4a-4b5c-43fe-8c98-96c4e12310b8.local 57464 typ host generation 0 network-cost 999\r\n\
a=candidate:9 1 tcp 1518280447 192.0.2.2 9 typ host tcptype active generation 0\r\n\
a=ice-ufrag:zWdo\r\na=ice-pwd:7pEKlwBzy7UAmo5l+K9kmTNU\r\na=ice-options:trickle\r\n\
a=fingerprint:sha-256 11:AC:69:34:C0:8D:3D:7E:26:78:2E:62:00:C0:C7:A6:FC:49:4E:59:08:6F:BC:B1:B8:02:D6:CC:27:31:AA:80\r\n\
a=setup:actpass\r\na=mid:0\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n";

    #[test]
    fn a_browsers_offer_keeps_what_makes_the_channel_in_a_hundred_bytes() {
        let c = Compact::from_sdp(OFFER).unwrap();
        assert_eq!(c.setup, Setup::ActPass);
        assert_eq!(
            (c.ufrag.as_str(), c.pwd.as_str()),
            ("zWdo", "7pEKlwBzy7UAmo5l+K9kmTNU")
        );
        assert_eq!(c.fingerprint[0], 0x11);
        assert_eq!(c.fingerprint[31], 0x80);
        assert_eq!(c.candidates.len(), 2, "UDP host candidates only");
        assert_eq!(c.candidates[0].port, 52447);
        let bytes = c.encode();
        assert!(bytes.len() <= 110, "{} bytes", bytes.len());
        assert_eq!(Compact::decode(&bytes).unwrap(), c);
        // Written out again and read back: the same values.
        let sdp = c.to_sdp();
        assert!(sdp.contains("15bc3978-ea1b-4e8a-888d-b56da0ee19f6.local 52447 typ host"));
        assert_eq!(Compact::from_sdp(&sdp).unwrap(), c);
    }

    #[test]
    fn ip_addresses_survive_too() {
        let sdp = OFFER
            .replace(
                "15bc3978-ea1b-4e8a-888d-b56da0ee19f6.local",
                "192.168.178.20",
            )
            .replace("5db78a4a-4b5c-43fe-8c98-96c4e12310b8.local", "fd00::2");
        let c = Compact::from_sdp(&sdp).unwrap();
        assert_eq!(c.candidates[0].address, Address::V4([192, 168, 178, 20]));
        assert!(matches!(c.candidates[1].address, Address::V6(_)));
        assert_eq!(Compact::decode(&c.encode()).unwrap(), c);
        assert!(c.to_sdp().contains(" 192.168.178.20 52447 typ host"));
    }

    #[test]
    fn what_is_not_a_data_channels_description_is_refused() {
        assert!(Compact::from_sdp("").is_err());
        assert!(Compact::from_sdp(&OFFER.replace("webrtc-datachannel", "RTP/AVP 0")).is_err());
        assert!(Compact::from_sdp(&OFFER.replace("a=ice-pwd:", "a=x:")).is_err());
        // Only ICE characters: nothing else can be written into a description again.
        assert!(Compact::from_sdp(&OFFER.replace("ice-ufrag:zWdo", "ice-ufrag:zW do")).is_err());
        assert!(Compact::from_sdp(&OFFER.replace("11:AC", "11:AC:FF")).is_err());
    }

    proptest! {
        #[test]
        fn no_bytes_make_decoding_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = Compact::decode(&bytes);
        }

        #[test]
        fn no_text_makes_parsing_panic(text in "\\PC{0,400}") {
            let _ = Compact::from_sdp(&text);
        }

        #[test]
        fn every_cut_of_a_good_encoding_is_an_error(cut in 0usize..100) {
            let bytes = Compact::from_sdp(OFFER).unwrap().encode();
            prop_assume!(cut < bytes.len());
            prop_assert!(Compact::decode(&bytes[..cut]).is_err());
        }
    }
}
