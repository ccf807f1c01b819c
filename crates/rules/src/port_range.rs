//! Port ranges written as text, the way GCP firewall rules (`ports = ["22", "8000-8080"]`)
//! and Azure network security rules (`destination_port_range = "22"`, `"1000-2000"`, `"*"`)
//! spell them, and the ports whose exposure to the internet the firewall rules report.

/// Remote administration ports: exposing one of them to the internet is critical.
pub(crate) const ADMIN_PORTS: [(u32, &str); 2] = [(22, "SSH"), (3389, "RDP")];

/// Highest TCP/UDP port.
const MAX_PORT: u32 = 65535;

/// An inclusive range of ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PortRange {
    /// First port.
    pub low: u32,
    /// Last port.
    pub high: u32,
}

impl PortRange {
    /// Read `"22"`, `"1000-2000"` or `"*"` (every port); `None` for anything else.
    pub(crate) fn parse(text: &str) -> Option<PortRange> {
        let text = text.trim();
        if text == "*" {
            return Some(PortRange { low: 0, high: MAX_PORT });
        }
        let port = |part: &str| part.trim().parse::<u32>().ok().filter(|p| *p <= MAX_PORT);
        let (low, high) = match text.split_once('-') {
            Some((low, high)) => (port(low)?, port(high)?),
            None => {
                let single = port(text)?;
                (single, single)
            }
        };
        Some(PortRange { low: low.min(high), high: low.max(high) })
    }

    /// Whether the range is every port (`*`, `0-65535`, or `1-65535`: port 0 is reserved).
    pub(crate) fn is_every_port(self) -> bool {
        self.low <= 1 && self.high >= MAX_PORT
    }

    /// Whether the range includes `port`.
    pub(crate) fn covers(self, port: u32) -> bool {
        (self.low..=self.high).contains(&port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_single_ports_ranges_and_wildcards() {
        assert_eq!(PortRange::parse("22"), Some(PortRange { low: 22, high: 22 }));
        assert_eq!(PortRange::parse(" 1000-2000 "), Some(PortRange { low: 1000, high: 2000 }));
        assert_eq!(PortRange::parse("3390-3380"), Some(PortRange { low: 3380, high: 3390 }));
        assert_eq!(PortRange::parse("*"), Some(PortRange { low: 0, high: 65535 }));
        assert_eq!(PortRange::parse("70000"), None);
        assert_eq!(PortRange::parse("ssh"), None);
        assert_eq!(PortRange::parse("1-"), None);
    }

    #[test]
    fn every_port_and_coverage() {
        assert!(PortRange::parse("*").is_some_and(PortRange::is_every_port));
        assert!(PortRange::parse("1-65535").is_some_and(PortRange::is_every_port));
        assert!(!PortRange::parse("1024-65535").is_some_and(PortRange::is_every_port));
        assert!(PortRange::parse("20-25").is_some_and(|r| r.covers(22)));
        assert!(!PortRange::parse("80").is_some_and(|r| r.covers(22)));
    }
}
