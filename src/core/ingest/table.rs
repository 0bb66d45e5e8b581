use super::{IngestError, RawTurn};

pub(crate) fn read(
    _bytes: &[u8],
    _delimiter: Option<u8>,
    _notes: &mut Vec<String>,
) -> Result<Vec<RawTurn>, IngestError> {
    Err(IngestError::Malformed("not built yet".to_string()))
}
