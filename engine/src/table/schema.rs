//! A table's definition as the catalog stores it, and its binary encoding.

use crate::api::*;
use crate::error::Corruption;
use crate::lsm::coding::{put_bytes, put_varint, Reader};
use crate::model::codec::{count, string};
use crate::model::{KeyAttribute, PrimaryKeySchema, ScalarType};

/// Version byte of the table definition encoding.
const FORMAT_VERSION: u8 = 1;

/// Everything the catalog records about one table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableDef {
    /// Table name.
    pub name: String,
    /// Internal id: the first four bytes of every storage key of the table. Never reused.
    pub id: u32,
    /// The UUID-shaped `TableId` DescribeTable reports.
    pub uuid: String,
    /// Creation time, epoch seconds.
    pub created_at: f64,
    /// Key schema as given.
    pub key_schema: Vec<KeySchemaElement>,
    /// Attribute definitions as given.
    pub attribute_definitions: Vec<AttributeDefinition>,
    /// Billing mode.
    pub billing_mode: BillingMode,
    /// Whether the request named a billing mode (DescribeTable then shows the summary).
    pub billing_mode_given: bool,
    /// Capacity and its change history.
    pub throughput: ProvisionedThroughputDescription,
    /// When the table last switched to on-demand.
    pub last_update_to_pay_per_request: Option<f64>,
    /// Stream settings.
    pub stream: Option<StreamSpecification>,
    /// Global secondary indexes.
    pub gsis: Vec<GlobalSecondaryIndex>,
    /// Local secondary indexes.
    pub lsis: Vec<LocalSecondaryIndex>,
    /// Whether DeleteTable is refused.
    pub deletion_protection: bool,
    /// Auto scaling policies (provisioned tables).
    pub auto_scaling: AutoScaling,
}

impl TableDef {
    /// The table's primary key schema. Validated at creation, so both types are defined.
    pub fn primary_key(&self) -> PrimaryKeySchema {
        let attr = |kt: KeyType| {
            self.key_schema
                .iter()
                .find(|k| k.key_type == kt)
                .map(|k| KeyAttribute {
                    name: k.attribute_name.clone(),
                    scalar: self.attribute_type(&k.attribute_name),
                })
        };
        PrimaryKeySchema {
            partition: attr(KeyType::Hash).unwrap_or(KeyAttribute {
                name: String::new(),
                scalar: ScalarType::S,
            }),
            sort: attr(KeyType::Range),
        }
    }

    fn attribute_type(&self, name: &str) -> ScalarType {
        self.attribute_definitions
            .iter()
            .find(|d| d.attribute_name == name)
            .map_or(ScalarType::S, |d| d.attribute_type)
    }

    /// Encodes the definition for the catalog.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![FORMAT_VERSION];
        put_str(&mut out, &self.name);
        put_varint(&mut out, u64::from(self.id));
        put_str(&mut out, &self.uuid);
        put_f64(&mut out, self.created_at);
        put_key_schema(&mut out, &self.key_schema);
        put_varint(&mut out, self.attribute_definitions.len() as u64);
        for d in &self.attribute_definitions {
            put_str(&mut out, &d.attribute_name);
            out.push(scalar_code(d.attribute_type));
        }
        out.push(match self.billing_mode {
            BillingMode::Provisioned => 0,
            BillingMode::PayPerRequest => 1,
        });
        out.push(u8::from(self.billing_mode_given));
        let t = &self.throughput;
        put_varint(&mut out, t.read_capacity_units as u64);
        put_varint(&mut out, t.write_capacity_units as u64);
        put_varint(&mut out, t.number_of_decreases_today as u64);
        put_opt_f64(&mut out, t.last_increase_date_time);
        put_opt_f64(&mut out, t.last_decrease_date_time);
        put_opt_f64(&mut out, self.last_update_to_pay_per_request);
        match &self.stream {
            None => out.push(0),
            Some(s) => {
                out.push(1);
                out.push(u8::from(s.stream_enabled));
                out.push(s.stream_view_type.map_or(0, |v| view_code(v) + 1));
            }
        }
        put_varint(&mut out, self.gsis.len() as u64);
        for g in &self.gsis {
            put_str(&mut out, &g.index_name);
            put_key_schema(&mut out, &g.key_schema);
            put_projection(&mut out, &g.projection);
            match g.provisioned_throughput {
                None => out.push(0),
                Some(p) => {
                    out.push(1);
                    put_varint(&mut out, p.read_capacity_units as u64);
                    put_varint(&mut out, p.write_capacity_units as u64);
                }
            }
        }
        put_varint(&mut out, self.lsis.len() as u64);
        for l in &self.lsis {
            put_str(&mut out, &l.index_name);
            put_key_schema(&mut out, &l.key_schema);
            put_projection(&mut out, &l.projection);
        }
        out.push(u8::from(self.deletion_protection));
        // Added after format 1 shipped: absent in older definitions, read only when present.
        for policy in [self.auto_scaling.read, self.auto_scaling.write] {
            match policy {
                None => out.push(0),
                Some(p) => {
                    out.push(1);
                    put_varint(&mut out, p.min_capacity as u64);
                    put_varint(&mut out, p.max_capacity as u64);
                    put_f64(&mut out, p.target_utilization);
                }
            }
        }
        out
    }

    /// Decodes a definition written by [`TableDef::encode`].
    pub fn decode(buf: &[u8]) -> Result<TableDef, Corruption> {
        let r = &mut Reader::new(buf);
        if r.u8() != Some(FORMAT_VERSION) {
            return Err(Corruption::UnknownTag);
        }
        let name = string(r)?;
        let id = u32::try_from(get_varint(r)?).map_err(|_| Corruption::BadRecord)?;
        let uuid = string(r)?;
        let created_at = get_f64(r)?;
        let key_schema = get_key_schema(r)?;
        let n = count(r)?;
        let mut attribute_definitions = Vec::with_capacity(n);
        for _ in 0..n {
            let attribute_name = string(r)?;
            let attribute_type = scalar_from(get_u8(r)?)?;
            attribute_definitions.push(AttributeDefinition {
                attribute_name,
                attribute_type,
            });
        }
        let billing_mode = match get_u8(r)? {
            0 => BillingMode::Provisioned,
            1 => BillingMode::PayPerRequest,
            _ => return Err(Corruption::UnknownTag),
        };
        let billing_mode_given = get_u8(r)? != 0;
        let throughput = ProvisionedThroughputDescription {
            read_capacity_units: get_varint(r)? as i64,
            write_capacity_units: get_varint(r)? as i64,
            number_of_decreases_today: get_varint(r)? as i64,
            last_increase_date_time: get_opt_f64(r)?,
            last_decrease_date_time: get_opt_f64(r)?,
        };
        let last_update_to_pay_per_request = get_opt_f64(r)?;
        let stream = match get_u8(r)? {
            0 => None,
            _ => Some(StreamSpecification {
                stream_enabled: get_u8(r)? != 0,
                stream_view_type: match get_u8(r)? {
                    0 => None,
                    c => Some(view_from(c - 1)?),
                },
            }),
        };
        let n = count(r)?;
        let mut gsis = Vec::with_capacity(n);
        for _ in 0..n {
            let index_name = string(r)?;
            let key_schema = get_key_schema(r)?;
            let projection = get_projection(r)?;
            let provisioned_throughput = match get_u8(r)? {
                0 => None,
                _ => Some(ProvisionedThroughput {
                    read_capacity_units: get_varint(r)? as i64,
                    write_capacity_units: get_varint(r)? as i64,
                }),
            };
            gsis.push(GlobalSecondaryIndex {
                index_name,
                key_schema,
                projection,
                provisioned_throughput,
            });
        }
        let n = count(r)?;
        let mut lsis = Vec::with_capacity(n);
        for _ in 0..n {
            lsis.push(LocalSecondaryIndex {
                index_name: string(r)?,
                key_schema: get_key_schema(r)?,
                projection: get_projection(r)?,
            });
        }
        let deletion_protection = get_u8(r)? != 0;
        let mut auto_scaling = AutoScaling::default();
        if !r.is_empty() {
            let mut policy = || -> Result<Option<TargetTracking>, Corruption> {
                Ok(match get_u8(r)? {
                    0 => None,
                    _ => Some(TargetTracking {
                        min_capacity: get_varint(r)? as i64,
                        max_capacity: get_varint(r)? as i64,
                        target_utilization: get_f64(r)?,
                    }),
                })
            };
            auto_scaling.read = policy()?;
            auto_scaling.write = policy()?;
        }
        if !r.is_empty() {
            return Err(Corruption::BadRecord);
        }
        Ok(TableDef {
            name,
            id,
            uuid,
            created_at,
            key_schema,
            attribute_definitions,
            billing_mode,
            billing_mode_given,
            throughput,
            last_update_to_pay_per_request,
            stream,
            gsis,
            lsis,
            deletion_protection,
            auto_scaling,
        })
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_bytes(out, s.as_bytes());
}

fn put_f64(out: &mut Vec<u8>, v: f64) {
    out.extend_from_slice(&v.to_bits().to_le_bytes());
}

fn put_opt_f64(out: &mut Vec<u8>, v: Option<f64>) {
    match v {
        None => out.push(0),
        Some(v) => {
            out.push(1);
            put_f64(out, v);
        }
    }
}

fn put_key_schema(out: &mut Vec<u8>, ks: &[KeySchemaElement]) {
    put_varint(out, ks.len() as u64);
    for k in ks {
        put_str(out, &k.attribute_name);
        out.push(match k.key_type {
            KeyType::Hash => 0,
            KeyType::Range => 1,
        });
    }
}

fn put_projection(out: &mut Vec<u8>, p: &Projection) {
    out.push(match p.projection_type {
        None => 0,
        Some(ProjectionType::All) => 1,
        Some(ProjectionType::KeysOnly) => 2,
        Some(ProjectionType::Include) => 3,
    });
    match &p.non_key_attributes {
        None => out.push(0),
        Some(names) => {
            out.push(1);
            put_varint(out, names.len() as u64);
            for n in names {
                put_str(out, n);
            }
        }
    }
}

fn scalar_code(t: ScalarType) -> u8 {
    match t {
        ScalarType::S => 0,
        ScalarType::N => 1,
        ScalarType::B => 2,
    }
}

fn scalar_from(c: u8) -> Result<ScalarType, Corruption> {
    match c {
        0 => Ok(ScalarType::S),
        1 => Ok(ScalarType::N),
        2 => Ok(ScalarType::B),
        _ => Err(Corruption::UnknownTag),
    }
}

fn view_code(v: StreamViewType) -> u8 {
    match v {
        StreamViewType::KeysOnly => 0,
        StreamViewType::NewImage => 1,
        StreamViewType::OldImage => 2,
        StreamViewType::NewAndOldImages => 3,
    }
}

fn view_from(c: u8) -> Result<StreamViewType, Corruption> {
    match c {
        0 => Ok(StreamViewType::KeysOnly),
        1 => Ok(StreamViewType::NewImage),
        2 => Ok(StreamViewType::OldImage),
        3 => Ok(StreamViewType::NewAndOldImages),
        _ => Err(Corruption::UnknownTag),
    }
}

fn get_u8(r: &mut Reader<'_>) -> Result<u8, Corruption> {
    r.u8().ok_or(Corruption::LengthOutOfBounds)
}

fn get_varint(r: &mut Reader<'_>) -> Result<u64, Corruption> {
    r.varint().ok_or(Corruption::BadVarint)
}

fn get_f64(r: &mut Reader<'_>) -> Result<f64, Corruption> {
    let b = r.bytes(8).ok_or(Corruption::LengthOutOfBounds)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    Ok(f64::from_bits(u64::from_le_bytes(a)))
}

fn get_opt_f64(r: &mut Reader<'_>) -> Result<Option<f64>, Corruption> {
    match get_u8(r)? {
        0 => Ok(None),
        _ => get_f64(r).map(Some),
    }
}

fn get_key_schema(r: &mut Reader<'_>) -> Result<Vec<KeySchemaElement>, Corruption> {
    let n = count(r)?;
    let mut ks = Vec::with_capacity(n);
    for _ in 0..n {
        let attribute_name = string(r)?;
        let key_type = match get_u8(r)? {
            0 => KeyType::Hash,
            1 => KeyType::Range,
            _ => return Err(Corruption::UnknownTag),
        };
        ks.push(KeySchemaElement {
            attribute_name,
            key_type,
        });
    }
    Ok(ks)
}

fn get_projection(r: &mut Reader<'_>) -> Result<Projection, Corruption> {
    let projection_type = match get_u8(r)? {
        0 => None,
        1 => Some(ProjectionType::All),
        2 => Some(ProjectionType::KeysOnly),
        3 => Some(ProjectionType::Include),
        _ => return Err(Corruption::UnknownTag),
    };
    let non_key_attributes = match get_u8(r)? {
        0 => None,
        _ => {
            let n = count(r)?;
            let mut names = Vec::with_capacity(n);
            for _ in 0..n {
                names.push(string(r)?);
            }
            Some(names)
        }
    };
    Ok(Projection {
        projection_type,
        non_key_attributes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> TableDef {
        TableDef {
            name: "Music".into(),
            id: 7,
            uuid: "0000-1".into(),
            created_at: 1_700_000_000.25,
            key_schema: vec![
                KeySchemaElement::new("Artist", KeyType::Hash),
                KeySchemaElement::new("Song", KeyType::Range),
            ],
            attribute_definitions: vec![
                AttributeDefinition::new("Artist", ScalarType::S),
                AttributeDefinition::new("Song", ScalarType::N),
                AttributeDefinition::new("Year", ScalarType::N),
            ],
            billing_mode: BillingMode::Provisioned,
            billing_mode_given: false,
            throughput: ProvisionedThroughputDescription {
                read_capacity_units: 5,
                write_capacity_units: 7,
                number_of_decreases_today: 1,
                last_increase_date_time: Some(3.5),
                last_decrease_date_time: None,
            },
            last_update_to_pay_per_request: None,
            stream: Some(StreamSpecification {
                stream_enabled: true,
                stream_view_type: Some(StreamViewType::NewAndOldImages),
            }),
            gsis: vec![GlobalSecondaryIndex {
                index_name: "ByYear".into(),
                key_schema: vec![KeySchemaElement::new("Year", KeyType::Hash)],
                projection: Projection {
                    projection_type: Some(ProjectionType::Include),
                    non_key_attributes: Some(vec!["Album".into()]),
                },
                provisioned_throughput: Some(ProvisionedThroughput {
                    read_capacity_units: 1,
                    write_capacity_units: 2,
                }),
            }],
            lsis: vec![],
            deletion_protection: true,
            auto_scaling: AutoScaling {
                read: None,
                write: Some(TargetTracking {
                    min_capacity: 5,
                    max_capacity: 500,
                    target_utilization: 70.0,
                }),
            },
        }
    }

    #[test]
    fn table_def_encoding_round_trips_and_rejects_truncation() {
        let def = sample();
        let bytes = def.encode();
        assert_eq!(TableDef::decode(&bytes).unwrap(), def);
        // A definition written before auto scaling existed ends where the policies begin.
        let without = TableDef {
            auto_scaling: AutoScaling::default(),
            ..def.clone()
        };
        let legacy_len = without.encode().len() - 2;
        for cut in 0..bytes.len() {
            match TableDef::decode(&bytes[..cut]) {
                Ok(old) => {
                    assert_eq!(cut, legacy_len);
                    assert_eq!(old, without);
                }
                Err(_) => assert_ne!(cut, legacy_len),
            }
        }
        let pk = def.primary_key();
        assert_eq!(pk.partition.name, "Artist");
        assert_eq!(pk.sort.unwrap().scalar, ScalarType::N);
    }
}
