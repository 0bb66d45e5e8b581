//! Whisper and WhisperX JSON: `{"segments": [{"start", "end", "text", "speaker"?}]}`, a bare
//! list of such segments, or WhisperX word-level output (segments with `words`, or only
//! `word_segments`).
//!
//! Consecutive segments of the same speaker form one turn. Without speaker labels a turn ends
//! at a pause of more than [`PAUSE`] seconds: one turn per segment reads as a list of
//! half-sentences, and one turn for the whole file is useless for coding; pauses are where
//! speakers change in an interview.

use super::text::decode;
use super::{IngestError, RawTurn};
use serde_json::Value;

/// The pause (seconds) that ends a turn when the file has no speakers.
pub(crate) const PAUSE: f64 = 2.0;

struct Segment {
    start: Option<f64>,
    end: Option<f64>,
    speaker: Option<String>,
    text: String,
}

pub(crate) fn read(bytes: &[u8], notes: &mut Vec<String>) -> Result<Vec<RawTurn>, IngestError> {
    let text = decode(bytes, notes)?;
    if text.trim().is_empty() {
        return Err(IngestError::Empty);
    }
    let value: Value = serde_json::from_str(&text).map_err(|e| IngestError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let segments = segments(&value)?;
    let has_speakers = segments.iter().any(|s| s.speaker.is_some());
    if !has_speakers && segments.len() > 1 {
        notes.push(format!(
            "no speaker labels: a new turn after each pause of more than {PAUSE} s"
        ));
    }
    Ok(group(segments, has_speakers))
}

fn segments(value: &Value) -> Result<Vec<Segment>, IngestError> {
    let list = match value {
        Value::Array(list) => list,
        Value::Object(map) => {
            if let Some(Value::Array(list)) = map.get("segments")
                && !list.is_empty()
            {
                list
            } else if let Some(Value::Array(words)) = map.get("word_segments") {
                return Ok(words_as_segments(words));
            } else if let Some(Value::String(t)) = map.get("text") {
                return Ok(vec![Segment {
                    start: None,
                    end: None,
                    speaker: None,
                    text: t.clone(),
                }]);
            } else if map.get("segments").is_some_and(Value::is_array) {
                return Ok(Vec::new());
            } else {
                return Err(IngestError::NotWhisper(
                    "no \"segments\" list (expected Whisper or WhisperX JSON)".to_string(),
                ));
            }
        }
        _ => {
            return Err(IngestError::NotWhisper(
                "expected an object with \"segments\", or a list of segments".to_string(),
            ));
        }
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, seg) in list.iter().enumerate() {
        let Value::Object(m) = seg else {
            return Err(IngestError::NotWhisper(format!(
                "segment {} is not an object",
                i + 1
            )));
        };
        let mut text = m.get("text").and_then(Value::as_str).map(str::to_string);
        let words = m.get("words").and_then(Value::as_array);
        let mut speaker = m.get("speaker").and_then(label);
        if let Some(words) = words {
            if text.is_none() {
                text = Some(join_words(words));
            }
            // WhisperX gives the segment's speaker too, but not always: the first labelled
            // word then says who speaks.
            if speaker.is_none() {
                speaker = words.iter().find_map(|w| w.get("speaker").and_then(label));
            }
        }
        let Some(text) = text else {
            return Err(IngestError::NotWhisper(format!(
                "segment {} has no \"text\"",
                i + 1
            )));
        };
        out.push(Segment {
            start: m.get("start").and_then(Value::as_f64),
            end: m.get("end").and_then(Value::as_f64),
            speaker,
            text,
        });
    }
    Ok(out)
}

/// Speakers are strings ("SPEAKER_00"), sometimes numbers.
fn label(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn word_text(w: &Value) -> &str {
    w.get("word")
        .or_else(|| w.get("text"))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn join_words(words: &[Value]) -> String {
    let mut s = String::new();
    for w in words {
        let t = word_text(w);
        // Whisper's words carry their own leading space; WhisperX's do not.
        if !s.is_empty() && !t.starts_with(char::is_whitespace) {
            s.push(' ');
        }
        s.push_str(t);
    }
    s
}

/// WhisperX's flat word list: words become one segment per run of one speaker.
fn words_as_segments(words: &[Value]) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    for w in words {
        let speaker = w.get("speaker").and_then(label);
        let start = w.get("start").and_then(Value::as_f64);
        let end = w.get("end").and_then(Value::as_f64);
        let t = word_text(w);
        match out.last_mut() {
            Some(seg) if seg.speaker == speaker && !pause(seg.end, start) => {
                if !t.starts_with(char::is_whitespace) {
                    seg.text.push(' ');
                }
                seg.text.push_str(t);
                if end.is_some() {
                    seg.end = end;
                }
            }
            _ => out.push(Segment {
                start,
                end,
                speaker,
                text: t.to_string(),
            }),
        }
    }
    out
}

fn pause(prev_end: Option<f64>, start: Option<f64>) -> bool {
    matches!((prev_end, start), (Some(e), Some(s)) if s - e > PAUSE)
}

fn group(segments: Vec<Segment>, has_speakers: bool) -> Vec<RawTurn> {
    let mut turns: Vec<RawTurn> = Vec::new();
    let mut last_end: Option<f64> = None;
    for seg in segments {
        let text = seg.text.trim();
        if text.is_empty() {
            continue;
        }
        let joins = match turns.last() {
            None => false,
            // A segment diarization left unlabelled (WhisperX does, for short ones) belongs to
            // the turn it falls in.
            Some(t) if has_speakers => seg.speaker.is_none() || t.speaker == seg.speaker,
            Some(_) => !pause(last_end, seg.start),
        };
        match turns.last_mut() {
            Some(t) if joins => {
                t.text.push(' ');
                t.text.push_str(text);
            }
            _ => turns.push(RawTurn::new(seg.speaker, seg.start, text)),
        }
        if seg.end.is_some() {
            last_end = seg.end;
        }
    }
    turns
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whisper(s: &str) -> Result<Vec<RawTurn>, IngestError> {
        read(s.as_bytes(), &mut Vec::new())
    }

    #[test]
    fn segments_with_speakers_join_per_speaker() {
        let t = whisper(
            r#"{"text": "...", "language": "nl", "segments": [
            {"id": 0, "start": 0.0, "end": 2.5, "text": " Goedemorgen.", "speaker": "SPEAKER_00"},
            {"id": 1, "start": 2.6, "end": 4.0, "text": " Eén vraag over de coördinator.", "speaker": "SPEAKER_00"},
            {"id": 2, "start": 4.5, "end": 6.0, "text": " Ja, ’prima’.", "speaker": "SPEAKER_01"},
            {"id": 3, "start": 9.5, "end": 11.0, "text": " Mooi.", "speaker": "SPEAKER_00"}
        ]}"#,
        )
        .unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].speaker.as_deref(), Some("SPEAKER_00"));
        assert_eq!(t[0].text, "Goedemorgen. Eén vraag over de coördinator.");
        assert_eq!(t[1].start, Some(4.5));
        assert_eq!(t[2].text, "Mooi.");
    }

    #[test]
    fn unlabelled_segments_join_the_turn_they_fall_in() {
        let t = whisper(
            r#"{"segments": [
            {"start": 0.0, "end": 1.0, "text": "Ja,", "speaker": "SPEAKER_00"},
            {"start": 1.0, "end": 1.5, "text": "eh,"},
            {"start": 1.5, "end": 3.0, "text": "precies.", "speaker": "SPEAKER_00"},
            {"start": 3.5, "end": 4.0, "text": "Oké.", "speaker": "SPEAKER_01"}
        ]}"#,
        )
        .unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].text, "Ja, eh, precies.");
    }

    #[test]
    fn without_speakers_a_pause_ends_the_turn() {
        let mut notes = Vec::new();
        let t = read(
            br#"[{"start": 0, "end": 2, "text": "Een"}, {"start": 2.5, "end": 4, "text": "twee."},
                {"start": 7, "end": 8, "text": "Drie."}]"#,
            &mut notes,
        )
        .unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].text, "Een twee.");
        assert_eq!(t[1].start, Some(7.0));
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn whisperx_word_level() {
        // Segments without a speaker of their own, words with one.
        let t = whisper(
            r#"{"segments": [{"start": 0.1, "end": 1.0, "words": [
                {"word": "Eén", "start": 0.1, "end": 0.4, "speaker": "SPEAKER_01"},
                {"word": "vraag.", "start": 0.5, "end": 1.0, "speaker": "SPEAKER_01"}]}]}"#,
        )
        .unwrap();
        assert_eq!(
            t,
            vec![RawTurn::new(
                Some("SPEAKER_01".into()),
                Some(0.1),
                "Eén vraag."
            )]
        );
        // Only the flat word list.
        let t = whisper(
            r#"{"segments": [], "word_segments": [
                {"word": "Ja", "start": 0.0, "end": 0.2, "speaker": "A"},
                {"word": "hoor.", "start": 0.3, "end": 0.5, "speaker": "A"},
                {"word": "Nee.", "start": 0.6, "end": 0.9, "speaker": "B"}]}"#,
        )
        .unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].text, "Ja hoor.");
        assert_eq!(t[1].speaker.as_deref(), Some("B"));
    }

    #[test]
    fn bad_json_names_line_and_column() {
        let e = whisper("{\"segments\": [\n  {\"start\": 0,, }\n]}").unwrap_err();
        assert!(
            matches!(
                e,
                IngestError::Json {
                    line: 2,
                    column: 15,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(matches!(whisper("42"), Err(IngestError::NotWhisper(_))));
        assert!(matches!(
            whisper(r#"{"foo": 1}"#),
            Err(IngestError::NotWhisper(_))
        ));
        assert!(matches!(
            whisper(r#"{"segments": [{"start": 1}]}"#),
            Err(IngestError::NotWhisper(_))
        ));
    }
}
