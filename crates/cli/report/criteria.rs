//! The SOC 2 Trust Services Criteria the report names: the ones the rule pack serves (with
//! what each asks for), the ones a repository's configuration cannot evidence, and their order.

/// A criterion and what it asks for, in a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Criterion {
    /// The identifier (`CC6.1`).
    pub id: &'static str,
    /// What it asks for.
    pub description: &'static str,
}

/// The criteria the catalogue maps rules to (CATALOGUE.md §3), in report order.
pub const ASSESSABLE: &[Criterion] = &[
    c("CC3.4", "Assess how changes to systems, technology and vendors affect internal control"),
    c("CC4.1", "Run ongoing evaluations to confirm controls are present and working"),
    c(
        "CC6.1",
        "Restrict logical access to information assets: access control, segmentation, authentication, \
         credential management, encryption at rest, key protection",
    ),
    c(
        "CC6.2",
        "Register and authorise users and credentials before granting access; remove them when no longer needed",
    ),
    c("CC6.3", "Grant, change and revoke access by role, with least privilege and segregation of duties"),
    c("CC6.6", "Protect the system boundary against outside threats"),
    c("CC6.7", "Restrict and protect data in transmission"),
    c("CC6.8", "Prevent or detect unauthorised or malicious software"),
    c("CC7.1", "Use configuration standards and detection to find misconfigurations and new vulnerabilities"),
    c("CC7.2", "Monitor components for anomalies: logging and detection tooling"),
    c("CC7.3", "Evaluate security events to decide whether they are incidents"),
    c("CC7.5", "Recover from incidents: restore, root cause, recovery testing"),
    c(
        "CC8.1",
        "Authorise, design, test, approve and deploy changes to infrastructure, data and software; \
         keep baseline configurations",
    ),
    c("CC9.1", "Identify and mitigate risks of business disruption"),
    c("A1.1", "Measure and forecast capacity and add capacity as needed"),
    c("A1.2", "Put environmental protections, backups and recovery infrastructure in place"),
    c("A1.3", "Test recovery-plan procedures"),
    c(
        "PI1.2",
        "Validate inputs for completeness and accuracy, including inputs to the build and deploy system",
    ),
    c("PI1.3", "Process data completely, accurately and on time; detect and handle processing errors"),
    c("PI1.5", "Keep stored data complete, accurate and safe from unauthorised change"),
    c(
        "C1.1",
        "Identify confidential information and protect it, including from destruction, while it is retained",
    ),
    c("C1.2", "Dispose of confidential information when its retention period ends"),
    c("P3.1", "Collect personal information only as needed for the stated objectives"),
    c("P4.1", "Limit use of personal information to the identified purposes"),
    c("P4.2", "Retain personal information only as long as needed"),
    c("P4.3", "Dispose of personal information securely"),
    c("P6.1", "Disclose personal information to third parties only when authorised"),
    c("P6.2", "Keep records of authorised disclosures"),
    c("P6.3", "Keep records of unauthorised disclosures and breaches"),
];

/// Criteria that repository configuration cannot evidence (CATALOGUE.md §3): they need manual
/// or organisational evidence.
pub const NOT_ASSESSABLE: &[Criterion] = &[
    c("CC1.1", "Commitment to integrity and ethical values"),
    c("CC1.2", "Board independence and oversight of internal control"),
    c("CC1.3", "Structures, reporting lines, authorities and responsibilities"),
    c("CC1.4", "Attracting, developing and retaining competent people"),
    c("CC1.5", "Holding people accountable for their internal-control responsibilities"),
    c("CC2.1", "Obtaining and using relevant, quality information for internal control"),
    c("CC2.2", "Communicating internal-control information internally"),
    c("CC2.3", "Communicating with external parties"),
    c("CC3.1", "Specifying objectives clearly enough to identify risks"),
    c("CC3.2", "Identifying and analysing risks to the objectives"),
    c("CC3.3", "Considering the potential for fraud"),
    c("CC4.2", "Evaluating and communicating internal-control deficiencies"),
    c("CC5.1", "Selecting and developing control activities that mitigate risks"),
    c("CC5.2", "Selecting and developing general controls over technology"),
    c("CC5.3", "Deploying control activities through policies and procedures"),
    c("CC6.4", "Restricting physical access to facilities and protected assets"),
    c("CC6.5", "Removing data before physical assets are disposed of"),
    c("CC7.4", "Responding to identified security incidents"),
    c("CC9.2", "Assessing and managing risks from vendors and business partners"),
    c("PI1.1", "Defining and communicating processing objectives and specifications"),
    c("PI1.4", "Producing complete, accurate and timely outputs"),
    c("P1.1", "Notice about privacy practices"),
    c("P2.1", "Choice and consent"),
    c("P5.1", "Data subjects' access to their personal information"),
    c("P5.2", "Correcting personal information on request"),
    c("P6.4", "Privacy commitments obtained from vendors and third parties"),
    c("P6.5", "Third parties reporting unauthorised disclosures"),
    c("P6.6", "Notifying affected parties of breaches"),
    c("P6.7", "Accounting for personal information held and disclosed"),
    c("P7.1", "Quality of personal information"),
    c("P8.1", "Inquiries, complaints and disputes; monitoring compliance"),
];

/// Criteria only part of which configuration can show, with what else is needed.
const PARTLY: &[(&str, &str)] = &[
    ("A1.3", "only partly assessable: restore-test records are manual evidence"),
    ("CC8.1", "only partly assessable: branch protection and approvals are manual evidence"),
];

const fn c(id: &'static str, description: &'static str) -> Criterion {
    Criterion { id, description }
}

/// What a criterion asks for, when the catalogue describes it.
pub fn description(id: &str) -> Option<&'static str> {
    ASSESSABLE.iter().chain(NOT_ASSESSABLE).find(|c| c.id == id).map(|c| c.description)
}

/// The caveat of a criterion that configuration evidences only in part.
pub fn partly(id: &str) -> Option<&'static str> {
    PARTLY.iter().find(|(c, _)| *c == id).map(|(_, why)| *why)
}

/// Order criteria as the Trust Services Criteria are published: Security (CC), Availability
/// (A), Processing Integrity (PI), Confidentiality (C), Privacy (P), then any other
/// (a user's policy may name its own), each by its numbers.
pub fn order_key(id: &str) -> (usize, Vec<u32>, String) {
    let prefix: String = id.chars().take_while(char::is_ascii_alphabetic).collect();
    let rank = ["CC", "A", "PI", "C", "P"].iter().position(|p| *p == prefix).unwrap_or(5);
    let numbers = id
        .get(prefix.len()..)
        .unwrap_or_default()
        .split('.')
        .map(|n| n.parse().unwrap_or(u32::MAX))
        .collect();
    (rank, numbers, id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criteria_sort_by_category_then_number() {
        let mut ids = vec!["P4.2", "CC6.10", "C1.1", "CC6.2", "A1.2", "PI1.3", "X9"];
        ids.sort_by_key(|id| order_key(id));
        assert_eq!(ids, ["CC6.2", "CC6.10", "A1.2", "PI1.3", "C1.1", "P4.2", "X9"]);
    }

    #[test]
    fn the_two_lists_do_not_overlap() {
        for criterion in NOT_ASSESSABLE {
            assert!(!ASSESSABLE.iter().any(|a| a.id == criterion.id), "{}", criterion.id);
        }
        assert_eq!(description("CC6.7"), Some("Restrict and protect data in transmission"));
        assert!(partly("A1.3").is_some() && partly("CC6.1").is_none());
    }
}
