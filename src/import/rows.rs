//! Reading a table row by row, whatever the file: CSV (plain or gzip) streamed through the `csv` crate, or the
//! first worksheet of an XLSX workbook streamed cell by cell through calamine. Nothing holds the whole file.
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use calamine::{DataRef, Reader, Xlsx, XlsxError};
use csv::StringRecord;

use super::ImportError;

/// The kinds of file the importers read, told by their first bytes rather than their names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    GzipCsv,
    Xlsx,
}

impl Format {
    pub fn sniff(path: &Path) -> Result<Self, ImportError> {
        let mut magic = [0u8; 4];
        let mut file = File::open(path).map_err(|e| ImportError::io(path, e))?;
        let read = file.read(&mut magic).map_err(|e| ImportError::io(path, e))?;
        Ok(match &magic[..read] {
            [0x1f, 0x8b, ..] => Self::GzipCsv,
            // XLSX is a zip archive.
            [b'P', b'K', 3, 4] => Self::Xlsx,
            _ => Self::Csv,
        })
    }
}

/// A table read one record at a time; `next` fills `record` and returns its line (the header is line 1).
pub trait Rows {
    fn headers(&self) -> &StringRecord;
    fn next(&mut self, record: &mut StringRecord) -> Result<Option<u64>, ImportError>;
}

/// A CSV file, plain or gzip, read through `reader` (which the caller may wrap to report progress).
pub struct CsvRows {
    reader: csv::Reader<Box<dyn Read>>,
    headers: StringRecord,
}

impl CsvRows {
    pub fn new(reader: impl Read + 'static, gzip: bool) -> Result<Self, ImportError> {
        let reader: Box<dyn Read> = if gzip {
            Box::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::new(reader)))
        } else {
            Box::new(reader)
        };
        let mut reader = csv::ReaderBuilder::new().from_reader(reader);
        let headers = reader.headers().map_err(csv_error)?.clone();
        Ok(Self { reader, headers })
    }
}

fn csv_error(error: csv::Error) -> ImportError {
    let line = error.position().map_or(0, |p| p.line());
    let message = match error.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("has {len} fields where the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8".to_owned(),
        csv::ErrorKind::Io(e) => return ImportError::Read(e.to_string()),
        _ => error.to_string(),
    };
    ImportError::Line { line, message }
}

impl Rows for CsvRows {
    fn headers(&self) -> &StringRecord {
        &self.headers
    }

    fn next(&mut self, record: &mut StringRecord) -> Result<Option<u64>, ImportError> {
        if !self.reader.read_record(record).map_err(csv_error)? {
            return Ok(None);
        }
        Ok(Some(record.position().map_or(0, |p| p.line())))
    }
}

/// Opens an XLSX workbook for [`XlsxRows`].
pub fn open_xlsx(path: &Path) -> Result<Xlsx<BufReader<File>>, ImportError> {
    calamine::open_workbook(path).map_err(|e: XlsxError| ImportError::Read(format!("not a readable XLSX file: {e}")))
}

/// The first worksheet of an XLSX workbook, its first row the header.
pub struct XlsxRows<'a, RS: Read + Seek> {
    cells: calamine::XlsxCellReader<'a, RS>,
    /// A cell read past the end of the previous row.
    pending: Option<calamine::Cell<DataRef<'a>>>,
    headers: StringRecord,
    fields: Vec<String>,
    /// The reader has returned its last cell; asking again is an error.
    done: bool,
}

impl<'a, RS: Read + Seek> XlsxRows<'a, RS> {
    pub fn new(workbook: &'a mut Xlsx<RS>) -> Result<Self, ImportError> {
        let sheet = workbook
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| ImportError::Read("the workbook has no sheets".into()))?;
        let cells = workbook
            .worksheet_cells_reader(&sheet)
            .map_err(|e| ImportError::Read(format!("cannot read sheet {sheet:?}: {e}")))?;
        let mut rows = Self { cells, pending: None, headers: StringRecord::new(), fields: Vec::new(), done: false };
        let mut headers = StringRecord::new();
        if rows.next(&mut headers)?.is_none() {
            return Err(ImportError::Read(format!("sheet {sheet:?} is empty")));
        }
        rows.headers = headers;
        Ok(rows)
    }
}

/// A cell as the text BLS would print in a CSV: whole numbers without a fraction, others as shortest decimals.
fn cell_text(value: &DataRef<'_>) -> Result<String, String> {
    Ok(match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.trim().to_owned(),
        DataRef::SharedString(s) => s.trim().to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        DataRef::Error(e) => return Err(format!("holds the spreadsheet error {e}")),
        other => format!("{other:?}"),
    })
}

impl<RS: Read + Seek> Rows for XlsxRows<'_, RS> {
    fn headers(&self) -> &StringRecord {
        &self.headers
    }

    fn next(&mut self, record: &mut StringRecord) -> Result<Option<u64>, ImportError> {
        let read = |e: XlsxError| ImportError::Read(format!("cannot read the worksheet: {e}"));
        let first = match self.pending.take() {
            Some(cell) => cell,
            None if self.done => return Ok(None),
            None => match self.cells.next_cell().map_err(read)? {
                Some(cell) => cell,
                None => return Ok(None),
            },
        };
        let row = first.get_position().0;
        let line = u64::from(row) + 1;
        self.fields.clear();
        let mut cell = Some(first);
        while let Some(current) = cell {
            let (r, column) = current.get_position();
            if r != row {
                self.pending = Some(current);
                break;
            }
            let column = column as usize;
            // Empty cells are not stored: pad up to this one.
            if self.fields.len() <= column {
                self.fields.resize(column + 1, String::new());
            }
            self.fields[column] = cell_text(current.get_value()).map_err(|message| ImportError::Cell {
                line,
                column: column + 1,
                name: self.headers.get(column).unwrap_or_default().to_owned(),
                message,
            })?;
            cell = self.cells.next_cell().map_err(read)?;
            self.done = cell.is_none();
        }
        // Trailing empty cells are not stored either: pad to the header's width.
        if self.fields.len() < self.headers.len() {
            self.fields.resize(self.headers.len(), String::new());
        }
        record.clear();
        for field in &self.fields {
            record.push_field(field);
        }
        Ok(Some(line))
    }
}
