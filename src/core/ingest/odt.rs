use super::{IngestError, Limits, RawTurn};

pub(crate) fn read(
    _bytes: &[u8],
    _limits: &Limits,
    _notes: &mut Vec<String>,
) -> Result<Vec<RawTurn>, IngestError> {
    Err(IngestError::Malformed("not built yet".to_string()))
}
