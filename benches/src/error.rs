//! The benchmark library's error type.

/// Result alias of the benchmark library.
pub type Result<T> = std::result::Result<T, Error>;

/// What can go wrong while running a benchmark.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// An engine under test failed an operation.
    Engine {
        /// Which engine.
        engine: &'static str,
        /// Which operation.
        op: &'static str,
        /// The engine's own error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// File system access outside the engines (walking the store directory).
    Io(std::io::Error),
    /// A read did not find a key the workload had written.
    KeyNotFound {
        /// Which engine.
        engine: &'static str,
        /// The key's index.
        index: u64,
    },
    /// A read found a key the workload never wrote.
    UnexpectedKey {
        /// Which engine.
        engine: &'static str,
        /// The key's index.
        index: u64,
    },
    /// A worker thread panicked.
    WorkerPanicked,
    /// engine-bench does not know this engine.
    UnknownEngine {
        /// The name given.
        name: String,
    },
    /// Creating or merging latency histograms failed.
    Histogram {
        /// Which step.
        op: &'static str,
        /// hdrhistogram's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The system under test refused to set up a YCSB run (connect, create the table).
    Setup {
        /// Which step.
        step: &'static str,
        /// What the system answered.
        source: crate::ycsb::target::OpError,
    },
    /// A result file could not be read or written as JSON.
    Json(serde_json::Error),
}

impl Error {
    /// Wraps an engine's error.
    pub fn engine(
        engine: &'static str,
        op: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Engine {
            engine,
            op,
            source: Box::new(source),
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Engine { engine, op, source } => write!(f, "{engine} {op}: {source}"),
            Error::Io(e) => write!(f, "io: {e}"),
            Error::KeyNotFound { engine, index } => {
                write!(f, "{engine}: key {index} was written but not found")
            }
            Error::UnexpectedKey { engine, index } => {
                write!(f, "{engine}: absent key {index} was found")
            }
            Error::WorkerPanicked => write!(f, "a benchmark worker thread panicked"),
            Error::UnknownEngine { name } => write!(f, "unknown engine {name:?}"),
            Error::Histogram { op, source } => write!(f, "histogram {op}: {source}"),
            Error::Setup { step, source } => write!(f, "{step}: {source}"),
            Error::Json(e) => write!(f, "result file: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Engine { source, .. } | Error::Histogram { source, .. } => Some(&**source),
            Error::Io(e) => Some(e),
            Error::Json(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Json(e)
    }
}
