//! The UpdateExpression grammar, with DynamoDB's checks and the order it reports them in:
//!
//! ```text
//! update    := section+
//! section   := SET set (, set)* | REMOVE path (, path)* | ADD path :v (, path :v)*
//!            | DELETE path :v (, path :v)*
//! set       := path = ( value ) | path = value
//! value     := operand | operand + operand | operand - operand
//! operand   := ( term ) | term
//! term      := name ( operand (, operand)* ) | :v | path
//! ```
//!
//! `(a) + b` is also taken, reading the parentheses as the first operand's. Section words are
//! case-insensitive, function names case-sensitive. Syntax errors stop the parse; other
//! problems are collected and the first by `Rank` is reported.

use super::{check_overlaps, check_text, invalid, Parser, PathWords, Problem, Problems};
use crate::api::ApiResult;
use crate::expr::ast::Path;
use crate::expr::context::ExpressionContext;
use crate::expr::lexer::{Keyword, TokenKind};
use crate::expr::update::{SetOperand, SetValue, UpdateAction, UpdateExpression};
use crate::expr::ExpressionKind;
use crate::limits::UPDATE_EXPRESSION_OPERATORS_MAX;
use crate::model::AttributeValue;
use std::collections::BTreeMap;

/// The condition-expression functions, which DynamoDB names as misplaced rather than unknown.
const CONDITION_FUNCTIONS: [&str; 6] = [
    "attribute_exists",
    "attribute_not_exists",
    "attribute_type",
    "begins_with",
    "contains",
    "size",
];

/// Parses an UpdateExpression. Placeholders resolve through `ctx`, which records their use.
pub fn parse_update(text: &str, ctx: &mut ExpressionContext<'_>) -> ApiResult<UpdateExpression> {
    check_text(text, ExpressionKind::Update)?;
    let mut parser = UpdateParser {
        p: Parser::new(text, ExpressionKind::Update, ctx),
        problems: BTreeMap::new(),
        sections: Vec::new(),
        operators: 0,
    };
    let mut actions = Vec::new();
    loop {
        let section = match parser.p.peek().kind {
            TokenKind::Keyword(k) if k.is_update_section() => k,
            _ => return Err(parser.p.syntax_error()),
        };
        parser.p.advance();
        parser.section(section, &mut actions)?;
        if parser.p.peek().kind == TokenKind::Eof {
            break;
        }
    }
    let paths: Vec<Path> = actions.iter().map(|a| a.path().clone()).collect();
    let mut overlaps = Problems::new();
    check_overlaps(&paths, &mut overlaps);
    for (problem, message) in overlaps {
        let rank = match problem {
            Problem::Overlap => Rank::Overlap,
            _ => Rank::Conflict,
        };
        parser.note(rank, message);
    }
    parser.finish(UpdateExpression { actions })
}

/// A problem found while parsing, in the order DynamoDB reports them when several occur.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Reserved,
    UnknownFunction,
    Section,
    Undefined,
    PathDepth,
    Overlap,
    Conflict,
    /// An ADD or DELETE value of the wrong type.
    Operand,
    /// A function's or arithmetic operator's operands: their count, kind or type.
    Function,
}

struct UpdateParser<'s, 'c, 'a> {
    p: Parser<'s, 'c, 'a>,
    problems: BTreeMap<Rank, String>,
    sections: Vec<Keyword>,
    operators: usize,
}

impl UpdateParser<'_, '_, '_> {
    fn note(&mut self, rank: Rank, message: String) {
        self.problems.entry(rank).or_insert(message);
    }

    /// The first problem, ranking those the shared path and value code noted among ours.
    fn finish<T>(mut self, parsed: T) -> ApiResult<T> {
        for (problem, message) in std::mem::take(&mut self.p.problems) {
            let rank = match problem {
                Problem::Reserved => Rank::Reserved,
                Problem::Undefined => Rank::Undefined,
                Problem::PathDepth => Rank::PathDepth,
                // The update grammar has no other shared checks.
                _ => Rank::Function,
            };
            self.note(rank, message);
        }
        match self.problems.into_values().next() {
            Some(message) => Err(invalid(ExpressionKind::Update, &message)),
            None => Ok(parsed),
        }
    }

    /// The actions of one section, after its keyword; each section may appear once.
    fn section(&mut self, section: Keyword, actions: &mut Vec<UpdateAction>) -> ApiResult<()> {
        loop {
            let path = self.p.path(PathWords::Update)?;
            let action = match section {
                Keyword::Set => {
                    self.p.expect(TokenKind::Eq)?;
                    UpdateAction::Set(path, self.set_value()?)
                }
                Keyword::Add => UpdateAction::Add(path, self.action_value("ADD")?),
                Keyword::Delete => UpdateAction::Delete(path, self.action_value("DELETE")?),
                _ => UpdateAction::Remove(path),
            };
            actions.push(action);
            if self.p.peek().kind != TokenKind::Comma {
                break;
            }
            self.p.advance();
        }
        if self.sections.contains(&section) {
            let name = match section {
                Keyword::Set => "SET",
                Keyword::Remove => "REMOVE",
                Keyword::Add => "ADD",
                _ => "DELETE",
            };
            let message =
                format!("The \"{name}\" section can only be used once in an update expression;");
            self.note(Rank::Section, message);
        }
        self.sections.push(section);
        Ok(())
    }

    /// The `:v` of an ADD or DELETE action: a number or set for ADD, a set for DELETE.
    fn action_value(&mut self, operator: &str) -> ApiResult<AttributeValue> {
        if self.p.peek().kind != TokenKind::Value {
            return Err(self.p.syntax_error());
        }
        let Some(value) = self.value() else {
            return Ok(AttributeValue::Null);
        };
        let wrong = match &value {
            AttributeValue::Ss(_) | AttributeValue::Ns(_) | AttributeValue::Bs(_) => None,
            AttributeValue::N(_) if operator == "ADD" => None,
            AttributeValue::S(_) => Some("STRING"),
            AttributeValue::N(_) => Some("NUMBER"),
            AttributeValue::B(_) => Some("BINARY"),
            AttributeValue::Null => Some("NULL"),
            AttributeValue::Bool(_) => Some("BOOLEAN"),
            AttributeValue::L(_) => Some("LIST"),
            AttributeValue::M(_) => Some("MAP"),
        };
        if let Some(wrong) = wrong {
            let message = format!(
                "Incorrect operand type for operator or function; operator: {operator}, operand \
                 type: {wrong}"
            );
            self.note(Rank::Operand, message);
        }
        Ok(value)
    }

    /// The value placeholder at the current token, marked used; `None` (noted) if undefined.
    fn value(&mut self) -> Option<AttributeValue> {
        let token = self.p.peek();
        self.p.advance();
        let placeholder = token.text(self.p.src);
        if let Some(value) = self.p.ctx.resolve_value(placeholder) {
            return Some(value.clone());
        }
        self.p.note(
            Problem::Undefined,
            format!(
                "An expression attribute value used in expression is not defined; attribute \
                 value: {placeholder}"
            ),
        );
        None
    }

    /// The right side of a SET action, perhaps in parentheses: `(a + b)`, or `(a) + b` where
    /// they belong to the first operand.
    fn set_value(&mut self) -> ApiResult<SetValue> {
        if self.p.peek().kind != TokenKind::LParen {
            return self.arithmetic();
        }
        self.p.advance();
        self.p.enter()?;
        let inner = self.arithmetic()?;
        self.p.expect(TokenKind::RParen)?;
        self.p.leave();
        match inner {
            SetValue::Operand(first) => self.arithmetic_after(first),
            value => Ok(value),
        }
    }

    /// `operand`, `operand + operand` or `operand - operand`.
    fn arithmetic(&mut self) -> ApiResult<SetValue> {
        let first = self.operand()?;
        self.arithmetic_after(first)
    }

    fn arithmetic_after(&mut self, first: SetOperand) -> ApiResult<SetValue> {
        let symbol = match self.p.peek().kind {
            TokenKind::Plus => "+",
            TokenKind::Minus => "-",
            _ => return Ok(SetValue::Operand(first)),
        };
        self.p.advance();
        self.count_operator()?;
        let second = self.operand()?;
        self.check_operand_types(symbol, &[&first, &second], "N");
        Ok(match symbol {
            "+" => SetValue::Plus(first, second),
            _ => SetValue::Minus(first, second),
        })
    }

    /// An operand, perhaps in one pair of parentheses.
    fn operand(&mut self) -> ApiResult<SetOperand> {
        if self.p.peek().kind != TokenKind::LParen {
            return self.term();
        }
        self.p.advance();
        self.p.enter()?;
        let operand = self.term()?;
        self.p.expect(TokenKind::RParen)?;
        self.p.leave();
        Ok(operand)
    }

    /// A function call, a value placeholder or a document path.
    fn term(&mut self) -> ApiResult<SetOperand> {
        let token = self.p.peek();
        match token.kind {
            TokenKind::Identifier if self.p.peek_at(1) == TokenKind::LParen => {
                let name = token.text(self.p.src);
                self.p.advance();
                self.call(name)
            }
            TokenKind::Value => Ok(SetOperand::Value(
                self.value().unwrap_or(AttributeValue::Null),
            )),
            _ => Ok(SetOperand::Path(self.p.path(PathWords::Update)?)),
        }
    }

    /// `name(operand, ...)` after the name: only `if_not_exists` and `list_append` exist here.
    fn call(&mut self, name: &str) -> ApiResult<SetOperand> {
        self.count_operator()?;
        self.p.expect(TokenKind::LParen)?;
        self.p.enter()?;
        let mut args = vec![self.operand()?];
        while self.p.peek().kind == TokenKind::Comma {
            self.p.advance();
            args.push(self.operand()?);
        }
        self.p.expect(TokenKind::RParen)?;
        self.p.leave();
        let placeholder = SetOperand::Value(AttributeValue::Null);
        if name != "if_not_exists" && name != "list_append" {
            let message = if CONDITION_FUNCTIONS.contains(&name) {
                format!("The function is not allowed in an update expression; function: {name}")
            } else {
                format!("Invalid function name; function: {name}")
            };
            self.note(Rank::UnknownFunction, message);
            return Ok(placeholder);
        }
        if args.len() != 2 {
            let message = format!(
                "Incorrect number of operands for operator or function; operator or function: \
                 {name}, number of operands: {}",
                args.len()
            );
            self.note(Rank::Function, message);
            return Ok(placeholder);
        }
        let mut args = args.into_iter();
        let (Some(first), Some(second)) = (args.next(), args.next()) else {
            return Ok(placeholder);
        };
        if name == "list_append" {
            self.check_operand_types(name, &[&first, &second], "L");
            return Ok(SetOperand::ListAppend(Box::new(first), Box::new(second)));
        }
        match first {
            SetOperand::Path(path) => Ok(SetOperand::IfNotExists(path, Box::new(second))),
            _ => {
                self.note(
                    Rank::Function,
                    format!(
                        "Operator or function requires a document path; operator or function: \
                         {name}"
                    ),
                );
                Ok(placeholder)
            }
        }
    }

    /// Notes the first value operand whose type is not `expected` (operands computed by paths
    /// or functions are only known when the update is applied).
    fn check_operand_types(&mut self, operator: &str, operands: &[&SetOperand], expected: &str) {
        let wrong = operands.iter().find_map(|operand| match operand {
            SetOperand::Value(v) if v.type_name() != expected => Some(v.type_name()),
            _ => None,
        });
        if let Some(wrong) = wrong {
            self.note(
                Rank::Function,
                format!(
                    "Incorrect operand type for operator or function; operator or function: \
                     {operator}, operand type: {wrong}"
                ),
            );
        }
    }

    /// Counts one more operator or function call against DynamoDB's limit.
    fn count_operator(&mut self) -> ApiResult<()> {
        self.operators += 1;
        if self.operators > UPDATE_EXPRESSION_OPERATORS_MAX {
            return Err(invalid(
                ExpressionKind::Update,
                &format!(
                    "The expression contains too many operators; operator count: {}",
                    self.operators
                ),
            ));
        }
        Ok(())
    }
}
