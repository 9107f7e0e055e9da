// `#[tool]` methods of a `#[tools]` impl: sync and async, with state, the call context,
// defaults and types written with `Self`, a `#[cfg]`, other methods left alone, and the
// value shared by all of its tools.
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;
use tool_runtime::{tools, CallContext, State, ToolCall, ToolRegistry};

/// A point on the plane.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, schemars::JsonSchema)]
pub struct Point {
    /// Across.
    x: i32,
    /// Up.
    y: i32,
}

/// A unit of length.
pub struct Unit(&'static str);

pub struct Canvas {
    origin: Point,
    moves: AtomicU32,
}

#[tools]
impl Canvas {
    const STEP: i32 = 1;

    /// Move a point by a step.
    ///
    /// # Arguments
    /// * `point` - Where it is.
    /// * `step` - How far to move it, across and up.
    #[tool]
    pub fn step(&self, point: Point, #[tool(default = Self::STEP)] step: i32) -> Point {
        self.moves.fetch_add(1, Ordering::SeqCst);
        Point { x: point.x + step, y: point.y + step }
    }

    /// How far a point is from the origin, in the registry's unit.
    #[tool(read_only)]
    pub async fn distance(
        self: &Self,
        /// The point.
        point: Option<Point>,
        unit: State<Unit>,
        call: CallContext,
    ) -> String {
        let point = point.unwrap_or_default();
        let distance = (point.x - self.origin.x).abs() + (point.y - self.origin.y).abs();
        format!("{} {distance} {}", call.id(), unit.0 .0)
    }

    /// Count points.
    ///
    /// # Arguments
    /// * `points` - The points.
    #[tool_runtime::tool(name = "count-points")]
    fn r#count(&self, points: Vec<Point>) -> Result<usize, String> {
        points.len().checked_sub(0).ok_or_else(|| "never".to_owned())
    }

    /// Compiled out: no tool.
    #[cfg(any())]
    #[tool]
    fn hidden(&self) {}

    /// A plain method: not a tool.
    pub fn moves(&self) -> u32 {
        self.moves.load(Ordering::SeqCst)
    }
}

/// A generic type, made tools for one concrete type.
pub struct Scaled<T>(T);

#[tools]
impl Scaled<u32> {
    const ONE: u32 = 1;

    /// Scale a number.
    ///
    /// # Arguments
    /// * `by` - The factor.
    #[tool]
    fn scale(&self, #[tool(default = Self::ONE)] by: u32) -> u32 {
        self.0 * by
    }
}

#[tools]
impl Point {
    /// Add a point to this one.
    ///
    /// # Arguments
    /// * `other` - The point to add.
    #[tool]
    fn add(&self, other: Self) -> Self {
        Self { x: self.x + other.x, y: self.y + other.y }
    }
}

fn main() {
    let canvas = Arc::new(Canvas { origin: Point { x: 1, y: 1 }, moves: AtomicU32::new(0) });
    let mut registry = ToolRegistry::new().with_state(Unit("cm"));
    registry.register_all(Arc::clone(&canvas)).unwrap();
    registry.register_all(Scaled(7)).unwrap();
    registry.register_all(Point { x: 10, y: 20 }).unwrap();
    assert_eq!(
        registry.names().collect::<Vec<_>>(),
        ["step", "distance", "count-points", "scale", "add"]
    );
    assert_eq!(
        registry.definition("step").unwrap().parameters(),
        &json!({
            "type": "object",
            "properties": {
                "point": {
                    "type": "object",
                    "description": "Where it is.",
                    "properties": {
                        "x": {"type": "integer", "description": "Across.", "minimum": -2147483648, "maximum": 2147483647},
                        "y": {"type": "integer", "description": "Up.", "minimum": -2147483648, "maximum": 2147483647}
                    },
                    "required": ["x", "y"],
                    "additionalProperties": false
                },
                "step": {"type": "integer", "description": "How far to move it, across and up.", "minimum": -2147483648, "maximum": 2147483647, "default": 1}
            },
            "required": ["point"],
            "additionalProperties": false
        })
    );

    let calls = [
        ToolCall::new("a", "step", r#"{"point": {"x": 1, "y": 2}}"#),
        ToolCall::new("b", "distance", r#"{"point": {"x": 4, "y": 5}}"#),
        ToolCall::new("c", "count-points", r#"{"points": [{"x": 0, "y": 0}]}"#),
        ToolCall::new("d", "scale", r#"{"by": 3}"#),
        ToolCall::new("e", "scale", ""),
        ToolCall::new("f", "add", r#"{"other": {"x": 1, "y": 2}}"#),
    ];
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let outputs: Vec<String> = runtime
        .block_on(registry.dispatch_all(&calls))
        .into_iter()
        .map(|output| output.content)
        .collect();
    assert_eq!(outputs, [r#"{"x":2,"y":3}"#, "b 7 cm", "1", "21", "7", r#"{"x":11,"y":22}"#]);
    assert_eq!(canvas.moves(), 1);
}
