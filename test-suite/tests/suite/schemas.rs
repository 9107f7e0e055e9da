//! The exported definition of every catalogue tool, compared whole with the document the
//! rules of docs/design.md ("Schemas") and docs/providers.md ("OpenAI strict mode") call for:
//!
//! - plain form (`SchemaForm::Plain`): no `$schema`, no `title`, properties in signature
//!   order, non-recursive `$defs` inlined, no non-standard `format`, integer widths as
//!   `minimum`/`maximum`, `additionalProperties: false` on struct objects, maps open;
//! - declared form (`registry.export`): strict where the schema can be (every property
//!   required, optionals nullable, defaults and unsupported constraints said in
//!   descriptions), plain otherwise (maps, free-form values, keywords strict mode lacks)
//!   or when the tool says `strict = false`.
//!
//! The expectations are written from those rules, not copied from the output.

use crate::support::signatures;

use serde_json::{json, Value};
use tool_runtime::format::SchemaForm;
use tool_runtime::{Tool, ToolFormat, ToolRegistry};

/// Compares a tool's plain export and its entry in the registry's declared export with the
/// expected documents.
fn assert_exports(name: &str, plain: Value, declared: Value) {
    let registry = signatures::registry();
    let definition = registry
        .definition(name)
        .unwrap_or_else(|| panic!("no tool `{name}` in the catalogue"));
    assert_same(
        &definition.export(ToolFormat::OpenAiChat, SchemaForm::Plain),
        &plain,
        name,
        "plain",
    );
    let exported = registry.export(ToolFormat::OpenAiChat);
    let entry = exported
        .as_array()
        .expect("the export is an array")
        .iter()
        .find(|tool| tool["function"]["name"] == name)
        .unwrap_or_else(|| panic!("`{name}` is missing from the export"));
    assert_same(entry, &declared, name, "declared");
}

fn assert_same(actual: &Value, expected: &Value, name: &str, form: &str) {
    assert!(
        actual == expected,
        "{form} export of `{name}` differs\n--- actual:\n{}\n--- expected:\n{}",
        serde_json::to_string_pretty(actual).unwrap(),
        serde_json::to_string_pretty(expected).unwrap(),
    );
}

#[test]
fn every_catalogue_tool_has_a_schema_test() {
    let registry = signatures::registry();
    let names: Vec<&str> = registry.names().collect();
    assert_eq!(
        names,
        [
            "unsigned_widths",
            "signed_widths",
            "count_down",
            "scale",
            "toggle",
            "initial_of",
            "search",
            "summarize",
            "set_labels",
            "create_event",
            "paint",
            "set_priority",
            "draw",
            "perform",
            "lookup",
            "update_profile",
            "render",
            "list_files",
            "schedule",
            "count_nodes",
            "ping",
            "store",
            "move_to",
            "book_flight",
            "echo-text",
            "get_current_weather",
        ],
        "a tool was added to or removed from the catalogue: add or remove its test here"
    );
}

// ---------------------------------------------------------------------------------------
// Scalars

#[test]
fn unsigned_integers_are_bounded_by_their_width() {
    assert_exports(
        "unsigned_widths",
        json!({
            "type": "function",
            "function": {
                "name": "unsigned_widths",
                "description": "Record five unsigned numbers.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "tiny": {"type": "integer", "minimum": 0, "maximum": u8::MAX, "description": "An 8-bit count."},
                        "small": {"type": "integer", "minimum": 0, "maximum": u16::MAX, "description": "A 16-bit count."},
                        "medium": {"type": "integer", "minimum": 0, "maximum": u32::MAX, "description": "A 32-bit count."},
                        "large": {"type": "integer", "minimum": 0, "maximum": u64::MAX, "description": "A 64-bit count."},
                        "size": {"type": "integer", "minimum": 0, "maximum": usize::MAX, "description": "A size in bytes."}
                    },
                    "required": ["tiny", "small", "medium", "large", "size"],
                    "additionalProperties": false
                }
            }
        }),
        json!({
            "type": "function",
            "function": {
                "name": "unsigned_widths",
                "description": "Record five unsigned numbers.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "tiny": {"type": "integer", "minimum": 0, "maximum": u8::MAX, "description": "An 8-bit count."},
                        "small": {"type": "integer", "minimum": 0, "maximum": u16::MAX, "description": "A 16-bit count."},
                        "medium": {"type": "integer", "minimum": 0, "maximum": u32::MAX, "description": "A 32-bit count."},
                        "large": {"type": "integer", "minimum": 0, "maximum": u64::MAX, "description": "A 64-bit count."},
                        "size": {"type": "integer", "minimum": 0, "maximum": usize::MAX, "description": "A size in bytes."}
                    },
                    "required": ["tiny", "small", "medium", "large", "size"],
                    "additionalProperties": false
                },
                "strict": true
            }
        }),
    );
}

#[test]
fn signed_integers_are_bounded_by_their_width() {
    assert_exports(
        "signed_widths",
        json!({
            "type": "function",
            "function": {
                "name": "signed_widths",
                "description": "Record four signed numbers.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "tiny": {"type": "integer", "minimum": i8::MIN, "maximum": i8::MAX, "description": "An 8-bit offset."},
                        "small": {"type": "integer", "minimum": i16::MIN, "maximum": i16::MAX, "description": "A 16-bit offset."},
                        "medium": {"type": "integer", "minimum": i32::MIN, "maximum": i32::MAX, "description": "A 32-bit offset."},
                        "large": {"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX, "description": "A 64-bit offset."}
                    },
                    "required": ["tiny", "small", "medium", "large"],
                    "additionalProperties": false
                }
            }
        }),
        json!({
            "type": "function",
            "function": {
                "name": "signed_widths",
                "description": "Record four signed numbers.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "tiny": {"type": "integer", "minimum": i8::MIN, "maximum": i8::MAX, "description": "An 8-bit offset."},
                        "small": {"type": "integer", "minimum": i16::MIN, "maximum": i16::MAX, "description": "A 16-bit offset."},
                        "medium": {"type": "integer", "minimum": i32::MIN, "maximum": i32::MAX, "description": "A 32-bit offset."},
                        "large": {"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX, "description": "A 64-bit offset."}
                    },
                    "required": ["tiny", "small", "medium", "large"],
                    "additionalProperties": false
                },
                "strict": true
            }
        }),
    );
}

#[test]
fn non_zero_integers_start_at_one() {
    assert_exports(
        "count_down",
        json!({
            "type": "function",
            "function": {
                "name": "count_down",
                "description": "Count down to zero.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "count": {"type": "integer", "minimum": 1, "maximum": u32::MAX, "description": "Where to start; at least 1."}
                    },
                    "required": ["count"],
                    "additionalProperties": false
                }
            }
        }),
        json!({
            "type": "function",
            "function": {
                "name": "count_down",
                "description": "Count down to zero.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "count": {"type": "integer", "minimum": 1, "maximum": u32::MAX, "description": "Where to start; at least 1."}
                    },
                    "required": ["count"],
                    "additionalProperties": false
                },
                "strict": true
            }
        }),
    );
}

#[test]
fn floats_are_numbers_without_format() {
    assert_exports(
        "scale",
        json!({
            "type": "function",
            "function": {
                "name": "scale",
                "description": "Scale a measurement.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "factor": {"type": "number", "description": "Multiplies the measurement."},
                        "offset": {"type": "number", "description": "Added after scaling."}
                    },
                    "required": ["factor", "offset"],
                    "additionalProperties": false
                }
            }
        }),
        json!({
            "type": "function",
            "function": {
                "name": "scale",
                "description": "Scale a measurement.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "factor": {"type": "number", "description": "Multiplies the measurement."},
                        "offset": {"type": "number", "description": "Added after scaling."}
                    },
                    "required": ["factor", "offset"],
                    "additionalProperties": false
                },
                "strict": true
            }
        }),
    );
}

#[test]
fn booleans_and_strings_with_parameter_doc_comments() {
    assert_exports(
        "toggle",
        json!({
            "type": "function",
            "function": {
                "name": "toggle",
                "description": "Switch a feature on or off.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "enabled": {"type": "boolean", "description": "Whether the feature is on."},
                        "label": {"type": "string", "description": "The feature's name."}
                    },
                    "required": ["enabled", "label"],
                    "additionalProperties": false
                }
            }
        }),
        json!({
            "type": "function",
            "function": {
                "name": "toggle",
                "description": "Switch a feature on or off.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "enabled": {"type": "boolean", "description": "Whether the feature is on."},
                        "label": {"type": "string", "description": "The feature's name."}
                    },
                    "required": ["enabled", "label"],
                    "additionalProperties": false
                },
                "strict": true
            }
        }),
    );
}

/// A `char` is a string of one character. Strict mode has no `minLength`/`maxLength`
/// (docs/providers.md lists `pattern` and `format` for strings), so the strict form says the
/// same with a `pattern`, which it enforces.
#[test]
fn a_char_is_a_one_character_string_held_by_a_pattern_when_strict() {
    let plain = json!({
        "type": "function",
        "function": {
            "name": "initial_of",
            "description": "Find the people whose name starts with a letter.",
            "parameters": {
                "type": "object",
                "properties": {
                    "letter": {"type": "string", "minLength": 1, "maxLength": 1, "description": "The first letter of the name."}
                },
                "required": ["letter"],
                "additionalProperties": false
            }
        }
    });
    let strict = json!({
        "type": "function",
        "function": {
            "name": "initial_of",
            "description": "Find the people whose name starts with a letter.",
            "parameters": {
                "type": "object",
                "properties": {
                    "letter": {"type": "string", "pattern": "^[\\s\\S]{1}$", "description": "The first letter of the name."}
                },
                "required": ["letter"],
                "additionalProperties": false
            },
            "strict": true
        }
    });
    assert_exports("initial_of", plain, strict);
}

// ---------------------------------------------------------------------------------------
// Options and collections

#[test]
fn options_may_be_omitted_in_plain_and_are_nullable_in_strict() {
    assert_exports(
        "search",
        json!({
            "type": "function",
            "function": {
                "name": "search",
                "description": "Search the catalogue.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "query": {"type": "string", "description": "What to look for."},
                        "page": {"type": ["integer", "null"], "minimum": 0, "maximum": u32::MAX, "description": "The page of results; the first if omitted."},
                        "language": {"type": ["string", "null"], "description": "Only results in this language; all languages if omitted."},
                        "tags": {"type": ["array", "null"], "items": {"type": "string"}, "description": "Only results with all these tags; omit to not filter by tag."}
                    },
                    "required": ["query"],
                    "additionalProperties": false
                }
            }
        }),
        json!({
            "type": "function",
            "function": {
                "name": "search",
                "description": "Search the catalogue.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "query": {"type": "string", "description": "What to look for."},
                        "page": {"type": ["integer", "null"], "minimum": 0, "maximum": u32::MAX, "description": "The page of results; the first if omitted."},
                        "language": {"type": ["string", "null"], "description": "Only results in this language; all languages if omitted."},
                        "tags": {"type": ["array", "null"], "items": {"type": "string"}, "description": "Only results with all these tags; omit to not filter by tag."}
                    },
                    "required": ["query", "page", "language", "tags"],
                    "additionalProperties": false
                },
                "strict": true
            }
        }),
    );
}

#[test]
fn vectors_are_arrays_of_their_items() {
    assert_exports(
        "summarize",
        json!({
            "type": "function",
            "function": {
                "name": "summarize",
                "description": "Summarize a series of measurements.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "values": {"type": "array", "items": {"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX}, "description": "The measurements."},
                        "names": {"type": "array", "items": {"type": "string"}, "description": "A name per measurement."}
                    },
                    "required": ["values", "names"],
                    "additionalProperties": false
                }
            }
        }),
        json!({
            "type": "function",
            "function": {
                "name": "summarize",
                "description": "Summarize a series of measurements.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "values": {"type": "array", "items": {"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX}, "description": "The measurements."},
                        "names": {"type": "array", "items": {"type": "string"}, "description": "A name per measurement."}
                    },
                    "required": ["values", "names"],
                    "additionalProperties": false
                },
                "strict": true
            }
        }),
    );
}

/// Maps keep their value schema as `additionalProperties` and cannot be strict.
#[test]
fn maps_stay_open_and_are_not_strict() {
    let plain = json!({
        "type": "function",
        "function": {
            "name": "set_labels",
            "description": "Set labels and limits on a resource.",
            "parameters": {
                "type": "object",
                "properties": {
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Label names and their values."},
                    "limits": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0, "maximum": u16::MAX}, "description": "Limit names and their values."}
                },
                "required": ["labels", "limits"],
                "additionalProperties": false
            }
        }
    });
    assert_exports("set_labels", plain.clone(), plain);
}

// ---------------------------------------------------------------------------------------
// Nested, documented user types

/// Nested structs are inlined; a field's doc comment describes it, a type's doc comment
/// describes its uses that have none of their own (`attendees` items), and the parameter's
/// own text wins over the type's.
#[test]
fn nested_documented_structs_are_inlined_and_closed() {
    assert_exports(
        "create_event",
        json!({
            "type": "function",
            "function": {
                "name": "create_event",
                "description": "Add a meeting to the calendar.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "event": {
                            "type": "object",
                            "description": "The meeting to add.",
                            "properties": {
                                "title": {"type": "string", "description": "What the meeting is about."},
                                "location": {
                                    "type": "object",
                                    "description": "Where it takes place.",
                                    "properties": {
                                        "city": {"type": "string", "description": "The city."},
                                        "floor": {"type": ["integer", "null"], "minimum": i16::MIN, "maximum": i16::MAX, "description": "The floor, if the place is in a building."}
                                    },
                                    "required": ["city"],
                                    "additionalProperties": false
                                },
                                "attendees": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "description": "A person who is invited.",
                                        "properties": {
                                            "name": {"type": "string", "description": "The person's name."},
                                            "email": {"type": "string", "description": "The person's e-mail address."}
                                        },
                                        "required": ["name", "email"],
                                        "additionalProperties": false
                                    }
                                }
                            },
                            "required": ["title", "location", "attendees"],
                            "additionalProperties": false
                        }
                    },
                    "required": ["event"],
                    "additionalProperties": false
                }
            }
        }),
        json!({
            "type": "function",
            "function": {
                "name": "create_event",
                "description": "Add a meeting to the calendar.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "event": {
                            "type": "object",
                            "description": "The meeting to add.",
                            "properties": {
                                "title": {"type": "string", "description": "What the meeting is about."},
                                "location": {
                                    "type": "object",
                                    "description": "Where it takes place.",
                                    "properties": {
                                        "city": {"type": "string", "description": "The city."},
                                        "floor": {"type": ["integer", "null"], "minimum": i16::MIN, "maximum": i16::MAX, "description": "The floor, if the place is in a building."}
                                    },
                                    "required": ["city", "floor"],
                                    "additionalProperties": false
                                },
                                "attendees": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "description": "A person who is invited.",
                                        "properties": {
                                            "name": {"type": "string", "description": "The person's name."},
                                            "email": {"type": "string", "description": "The person's e-mail address."}
                                        },
                                        "required": ["name", "email"],
                                        "additionalProperties": false
                                    }
                                }
                            },
                            "required": ["title", "location", "attendees"],
                            "additionalProperties": false
                        }
                    },
                    "required": ["event"],
                    "additionalProperties": false
                },
                "strict": true
            }
        }),
    );
}

// ---------------------------------------------------------------------------------------
// Enums

#[test]
fn a_unit_only_enum_is_a_string_enum() {
    assert_exports(
        "paint",
        json!({
            "type": "function",
            "function": {
                "name": "paint",
                "description": "Paint the wall.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "color": {"type": "string", "enum": ["red", "green", "blue"], "description": "The color of the paint."}
                    },
                    "required": ["color"],
                    "additionalProperties": false
                }
            }
        }),
        json!({
            "type": "function",
            "function": {
                "name": "paint",
                "description": "Paint the wall.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "color": {"type": "string", "enum": ["red", "green", "blue"], "description": "The color of the paint."}
                    },
                    "required": ["color"],
                    "additionalProperties": false
                },
                "strict": true
            }
        }),
    );
}

/// Documented variants keep their text: one `const` per variant, under `anyOf` (strict
/// mode has no `oneOf`).
#[test]
fn documented_variants_are_described_constants() {
    assert_exports(
        "set_priority",
        json!({
            "type": "function",
            "function": {
                "name": "set_priority",
                "description": "Set the priority of a task.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "task": {"type": "integer", "minimum": 0, "maximum": u64::MAX, "description": "The task's id."},
                        "priority": {
                            "anyOf": [
                                {"type": "string", "const": "low", "description": "Whenever there is time."},
                                {"type": "string", "const": "normal", "description": "In the normal course of work."},
                                {"type": "string", "const": "urgent", "description": "Before anything else."}
                            ],
                            "description": "The new priority."
                        }
                    },
                    "required": ["task", "priority"],
                    "additionalProperties": false
                }
            }
        }),
        json!({
            "type": "function",
            "function": {
                "name": "set_priority",
                "description": "Set the priority of a task.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "task": {"type": "integer", "minimum": 0, "maximum": u64::MAX, "description": "The task's id."},
                        "priority": {
                            "anyOf": [
                                {"type": "string", "const": "low", "description": "Whenever there is time."},
                                {"type": "string", "const": "normal", "description": "In the normal course of work."},
                                {"type": "string", "const": "urgent", "description": "Before anything else."}
                            ],
                            "description": "The new priority."
                        }
                    },
                    "required": ["task", "priority"],
                    "additionalProperties": false
                },
                "strict": true
            }
        }),
    );
}

/// serde's default representation: a unit variant is its name, a struct variant an object
/// with the variant's name as its only key.
#[test]
fn an_externally_tagged_enum_is_any_of_its_variants() {
    let shape = json!({
        "anyOf": [
            {"type": "string", "const": "Dot", "description": "A single pixel at the origin."},
            {
                "type": "object",
                "description": "A circle around the origin.",
                "properties": {
                    "Circle": {
                        "type": "object",
                        "properties": {"radius": {"type": "number", "description": "In pixels."}},
                        "required": ["radius"],
                        "additionalProperties": false
                    }
                },
                "required": ["Circle"],
                "additionalProperties": false
            },
            {
                "type": "object",
                "description": "A rectangle from the origin.",
                "properties": {
                    "Rectangle": {
                        "type": "object",
                        "properties": {
                            "width": {"type": "integer", "minimum": 0, "maximum": u32::MAX},
                            "height": {"type": "integer", "minimum": 0, "maximum": u32::MAX}
                        },
                        "required": ["width", "height"],
                        "additionalProperties": false
                    }
                },
                "required": ["Rectangle"],
                "additionalProperties": false
            }
        ],
        "description": "What to draw."
    });
    assert_exports(
        "draw",
        json!({
            "type": "function",
            "function": {
                "name": "draw",
                "description": "Draw a figure.",
                "parameters": {
                    "type": "object",
                    "properties": {"shape": shape},
                    "required": ["shape"],
                    "additionalProperties": false
                }
            }
        }),
        json!({
            "type": "function",
            "function": {
                "name": "draw",
                "description": "Draw a figure.",
                "parameters": {
                    "type": "object",
                    "properties": {"shape": shape},
                    "required": ["shape"],
                    "additionalProperties": false
                },
                "strict": true
            }
        }),
    );
}

#[test]
fn an_internally_tagged_enum_puts_the_tag_among_the_fields() {
    let action = json!({
        "anyOf": [
            {
                "type": "object",
                "description": "Move the pointer.",
                "properties": {
                    "kind": {"type": "string", "const": "move_to"},
                    "x": {"type": "integer", "minimum": i32::MIN, "maximum": i32::MAX},
                    "y": {"type": "integer", "minimum": i32::MIN, "maximum": i32::MAX}
                },
                "required": ["kind", "x", "y"],
                "additionalProperties": false
            },
            {
                "type": "object",
                "description": "Type text at the pointer.",
                "properties": {
                    "kind": {"type": "string", "const": "type_text"},
                    "text": {"type": "string"}
                },
                "required": ["kind", "text"],
                "additionalProperties": false
            },
            {
                "type": "object",
                "description": "Do nothing.",
                "properties": {"kind": {"type": "string", "const": "wait"}},
                "required": ["kind"],
                "additionalProperties": false
            }
        ],
        "description": "The action to perform."
    });
    assert_exports(
        "perform",
        json!({
            "type": "function",
            "function": {
                "name": "perform",
                "description": "Perform a user interface action.",
                "parameters": {
                    "type": "object",
                    "properties": {"action": action},
                    "required": ["action"],
                    "additionalProperties": false
                }
            }
        }),
        json!({
            "type": "function",
            "function": {
                "name": "perform",
                "description": "Perform a user interface action.",
                "parameters": {
                    "type": "object",
                    "properties": {"action": action},
                    "required": ["action"],
                    "additionalProperties": false
                },
                "strict": true
            }
        }),
    );
}

#[test]
fn an_untagged_enum_is_any_of_its_variants_content() {
    let target = json!({
        "anyOf": [
            {"type": "integer", "minimum": 0, "maximum": u32::MAX, "description": "The record's id."},
            {"type": "string", "description": "The record's unique name."},
            {
                "type": "object",
                "description": "Where the record is.",
                "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}},
                "required": ["lat", "lon"],
                "additionalProperties": false
            }
        ],
        "description": "The record to look up."
    });
    assert_exports(
        "lookup",
        json!({
            "type": "function",
            "function": {
                "name": "lookup",
                "description": "Look a record up.",
                "parameters": {
                    "type": "object",
                    "properties": {"target": target},
                    "required": ["target"],
                    "additionalProperties": false
                }
            }
        }),
        json!({
            "type": "function",
            "function": {
                "name": "lookup",
                "description": "Look a record up.",
                "parameters": {
                    "type": "object",
                    "properties": {"target": target},
                    "required": ["target"],
                    "additionalProperties": false
                },
                "strict": true
            }
        }),
    );
}

// ---------------------------------------------------------------------------------------
// Renames and defaults

#[test]
fn renamed_fields_use_their_serde_names() {
    assert_exports(
        "update_profile",
        json!({
            "type": "function",
            "function": {
                "name": "update_profile",
                "description": "Update the user's profile.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "profile": {
                            "type": "object",
                            "description": "The new profile.",
                            "properties": {
                                "displayName": {"type": "string", "description": "Shown next to every post."},
                                "e-mail": {"type": ["string", "null"], "description": "Where replies are sent, if anywhere."},
                                "birthYear": {"type": ["integer", "null"], "minimum": 0, "maximum": u16::MAX}
                            },
                            "required": ["displayName"],
                            "additionalProperties": false
                        }
                    },
                    "required": ["profile"],
                    "additionalProperties": false
                }
            }
        }),
        json!({
            "type": "function",
            "function": {
                "name": "update_profile",
                "description": "Update the user's profile.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "profile": {
                            "type": "object",
                            "description": "The new profile.",
                            "properties": {
                                "displayName": {"type": "string", "description": "Shown next to every post."},
                                "e-mail": {"type": ["string", "null"], "description": "Where replies are sent, if anywhere."},
                                "birthYear": {"type": ["integer", "null"], "minimum": 0, "maximum": u16::MAX}
                            },
                            "required": ["displayName", "e-mail", "birthYear"],
                            "additionalProperties": false
                        }
                    },
                    "required": ["profile"],
                    "additionalProperties": false
                },
                "strict": true
            }
        }),
    );
}

/// `#[serde(default)]` fields are optional: shown with their default in the plain form,
/// required and nullable in the strict form, which says the default in the description.
#[test]
fn serde_default_fields_are_optional() {
    assert_exports(
        "render",
        json!({
            "type": "function",
            "function": {
                "name": "render",
                "description": "Render the report.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "settings": {
                            "type": "object",
                            "description": "How to render it.",
                            "properties": {
                                "title": {"type": "string", "description": "The report's title."},
                                "charts": {"type": "boolean", "description": "Whether to draw charts.", "default": false},
                                "rows": {"type": "integer", "minimum": 0, "maximum": u8::MAX, "description": "Rows per page.", "default": 50}
                            },
                            "required": ["title"],
                            "additionalProperties": false
                        }
                    },
                    "required": ["settings"],
                    "additionalProperties": false
                }
            }
        }),
        json!({
            "type": "function",
            "function": {
                "name": "render",
                "description": "Render the report.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "settings": {
                            "type": "object",
                            "description": "How to render it.",
                            "properties": {
                                "title": {"type": "string", "description": "The report's title."},
                                "charts": {"type": ["boolean", "null"], "description": "Whether to draw charts. (default: false)"},
                                "rows": {"type": ["integer", "null"], "minimum": 0, "maximum": u8::MAX, "description": "Rows per page. (default: 50)"}
                            },
                            "required": ["title", "charts", "rows"],
                            "additionalProperties": false
                        }
                    },
                    "required": ["settings"],
                    "additionalProperties": false
                },
                "strict": true
            }
        }),
    );
}

#[test]
fn parameter_defaults_are_optional() {
    assert_exports(
        "list_files",
        json!({
            "type": "function",
            "function": {
                "name": "list_files",
                "description": "List the files in a directory.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "path": {"type": "string", "description": "The directory."},
                        "limit": {"type": "integer", "minimum": 0, "maximum": u32::MAX, "description": "At most this many files. Omit for 10.", "default": 10},
                        "recursive": {"type": "boolean", "description": "Whether to list subdirectories too. Omit for no.", "default": false},
                        "order": {"type": "string", "enum": ["name", "size", "modified_at"], "description": "The order of the listing. Omit for by name.", "default": "name"}
                    },
                    "required": ["path"],
                    "additionalProperties": false
                }
            }
        }),
        json!({
            "type": "function",
            "function": {
                "name": "list_files",
                "description": "List the files in a directory.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "path": {"type": "string", "description": "The directory."},
                        "limit": {"type": ["integer", "null"], "minimum": 0, "maximum": u32::MAX, "description": "At most this many files. Omit for 10. (default: 10)"},
                        "recursive": {"type": ["boolean", "null"], "description": "Whether to list subdirectories too. Omit for no. (default: false)"},
                        "order": {"type": ["string", "null"], "enum": ["name", "size", "modified_at", null], "description": "The order of the listing. Omit for by name. (default: \"name\")"}
                    },
                    "required": ["path", "limit", "recursive", "order"],
                    "additionalProperties": false
                },
                "strict": true
            }
        }),
    );
}

/// Parameters whose type is an `anyOf` of documented variants, one defaulted, one optional.
/// Nullable, such an `anyOf` gains a `{"type": "null"}` member (as `make_nullable` does for
/// a bare `anyOf`); the strict form says the `default` in the description, and the parameter's
/// own description replaces the type's ("How urgent a task is.") as it does everywhere else.
#[test]
fn a_defaulted_enum_of_documented_variants() {
    assert_exports(
        "schedule",
        json!({
            "type": "function",
            "function": {
                "name": "schedule",
                "description": "Schedule a task.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "task": {"type": "string", "description": "What to do."},
                        "priority": {
                            "anyOf": [
                                {"type": "string", "const": "low", "description": "Whenever there is time."},
                                {"type": "string", "const": "normal", "description": "In the normal course of work."},
                                {"type": "string", "const": "urgent", "description": "Before anything else."}
                            ],
                            "description": "How urgent it is. Omit for normal.",
                            "default": "normal"
                        },
                        "fallback": {
                            "anyOf": [
                                {"type": "string", "const": "low", "description": "Whenever there is time."},
                                {"type": "string", "const": "normal", "description": "In the normal course of work."},
                                {"type": "string", "const": "urgent", "description": "Before anything else."},
                                {"type": "null"}
                            ],
                            "description": "The priority once the task is late; omit to keep the priority."
                        }
                    },
                    "required": ["task"],
                    "additionalProperties": false
                }
            }
        }),
        json!({
            "type": "function",
            "function": {
                "name": "schedule",
                "description": "Schedule a task.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "task": {"type": "string", "description": "What to do."},
                        "priority": {
                            "anyOf": [
                                {"type": "string", "const": "low", "description": "Whenever there is time."},
                                {"type": "string", "const": "normal", "description": "In the normal course of work."},
                                {"type": "string", "const": "urgent", "description": "Before anything else."},
                                {"type": "null"}
                            ],
                            "description": "How urgent it is. Omit for normal. (default: \"normal\")"
                        },
                        "fallback": {
                            "anyOf": [
                                {"type": "string", "const": "low", "description": "Whenever there is time."},
                                {"type": "string", "const": "normal", "description": "In the normal course of work."},
                                {"type": "string", "const": "urgent", "description": "Before anything else."},
                                {"type": "null"}
                            ],
                            "description": "The priority once the task is late; omit to keep the priority."
                        }
                    },
                    "required": ["task", "priority", "fallback"],
                    "additionalProperties": false
                },
                "strict": true
            }
        }),
    );
}

// ---------------------------------------------------------------------------------------
// Recursion, no parameters, free-form JSON, tuples

/// A recursive type cannot be inlined: it stays in a root `$defs`. Its `children` default
/// is not shown: `TreeNode` is not `Serialize`, so there is no value to show.
#[test]
fn a_recursive_type_stays_in_defs() {
    assert_exports(
        "count_nodes",
        json!({
            "type": "function",
            "function": {
                "name": "count_nodes",
                "description": "Count the nodes of a tree.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "tree": {"$ref": "#/$defs/TreeNode", "description": "The tree's root."}
                    },
                    "required": ["tree"],
                    "additionalProperties": false,
                    "$defs": {
                        "TreeNode": {
                            "type": "object",
                            "description": "A node of a tree.",
                            "properties": {
                                "label": {"type": "string", "description": "The node's name."},
                                "children": {"type": "array", "items": {"$ref": "#/$defs/TreeNode"}, "description": "The node's children; none if omitted."}
                            },
                            "required": ["label"],
                            "additionalProperties": false
                        }
                    }
                }
            }
        }),
        json!({
            "type": "function",
            "function": {
                "name": "count_nodes",
                "description": "Count the nodes of a tree.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "tree": {"$ref": "#/$defs/TreeNode", "description": "The tree's root."}
                    },
                    "required": ["tree"],
                    "additionalProperties": false,
                    "$defs": {
                        "TreeNode": {
                            "type": "object",
                            "description": "A node of a tree.",
                            "properties": {
                                "label": {"type": "string", "description": "The node's name."},
                                "children": {"type": ["array", "null"], "items": {"$ref": "#/$defs/TreeNode"}, "description": "The node's children; none if omitted."}
                            },
                            "required": ["label", "children"],
                            "additionalProperties": false
                        }
                    }
                },
                "strict": true
            }
        }),
    );
}

/// No parameters: an empty closed object. `# Examples` is not part of the description.
#[test]
fn a_tool_without_parameters() {
    assert_exports(
        "ping",
        json!({
            "type": "function",
            "function": {
                "name": "ping",
                "description": "Check that the service is up.",
                "parameters": {"type": "object", "properties": {}, "additionalProperties": false}
            }
        }),
        json!({
            "type": "function",
            "function": {
                "name": "ping",
                "description": "Check that the service is up.",
                "parameters": {"type": "object", "properties": {}, "required": [], "additionalProperties": false},
                "strict": true
            }
        }),
    );
}

/// A `serde_json::Value` accepts anything: `{}` with the parameter's description. It has no
/// type, so the tool cannot be strict.
#[test]
fn a_free_form_value_keeps_its_description_and_is_not_strict() {
    let plain = json!({
        "type": "function",
        "function": {
            "name": "store",
            "description": "Store a JSON document under a key.",
            "parameters": {
                "type": "object",
                "properties": {
                    "key": {"type": "string", "description": "Where to store it."},
                    "value": {"description": "The document."}
                },
                "required": ["key", "value"],
                "additionalProperties": false
            }
        }
    });
    assert_exports("store", plain.clone(), plain);
}

/// A tuple is an array of fixed length; strict mode has no `prefixItems`, so it is plain.
#[test]
fn a_tuple_is_a_fixed_array_and_not_strict() {
    let plain = json!({
        "type": "function",
        "function": {
            "name": "move_to",
            "description": "Move the pointer.",
            "parameters": {
                "type": "object",
                "properties": {
                    "point": {
                        "type": "array",
                        "prefixItems": [
                            {"type": "integer", "minimum": i32::MIN, "maximum": i32::MAX},
                            {"type": "integer", "minimum": i32::MIN, "maximum": i32::MAX}
                        ],
                        "minItems": 2,
                        "maxItems": 2,
                        "description": "The target, as [x, y]."
                    }
                },
                "required": ["point"],
                "additionalProperties": false
            }
        }
    });
    assert_exports("move_to", plain.clone(), plain);
}

#[test]
fn book_flight_in_both_forms() {
    assert_exports(
        "book_flight",
        json!({
            "type": "function",
            "function": {
                "name": "book_flight",
                "description": "Book a flight.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "to": {"type": "string", "description": "The destination airport."},
                        "from": {"type": "string", "description": "The departure airport."},
                        "date": {"type": "string", "description": "The day of departure, as YYYY-MM-DD."},
                        "adults": {"type": "integer", "minimum": 0, "maximum": u8::MAX, "description": "How many adults travel."}
                    },
                    "required": ["to", "from", "date", "adults"],
                    "additionalProperties": false
                }
            }
        }),
        json!({
            "type": "function",
            "function": {
                "name": "book_flight",
                "description": "Book a flight.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "to": {"type": "string", "description": "The destination airport."},
                        "from": {"type": "string", "description": "The departure airport."},
                        "date": {"type": "string", "description": "The day of departure, as YYYY-MM-DD."},
                        "adults": {"type": "integer", "minimum": 0, "maximum": u8::MAX, "description": "How many adults travel."}
                    },
                    "required": ["to", "from", "date", "adults"],
                    "additionalProperties": false
                },
                "strict": true
            }
        }),
    );
}

/// `#[tool(name = "echo-text", strict = false)]`: the given name, and plain even though the
/// schema could be strict.
#[test]
fn strict_false_exports_plain_under_the_given_name() {
    let plain = json!({
        "type": "function",
        "function": {
            "name": "echo-text",
            "description": "Repeat a text back.",
            "parameters": {
                "type": "object",
                "properties": {"text": {"type": "string", "description": "What to repeat."}},
                "required": ["text"],
                "additionalProperties": false
            }
        }
    });
    assert_exports("echo-text", plain.clone(), plain);
}

// ---------------------------------------------------------------------------------------
// The weather bot (docs/examples.md)

#[test]
fn the_weather_bots_weather_tool() {
    assert_exports(
        "get_current_weather",
        json!({
            "type": "function",
            "function": {
                "name": "get_current_weather",
                "description": "Get the current weather in a given location.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA."},
                        "unit": {"type": ["string", "null"], "enum": ["celsius", "fahrenheit", null], "description": "The temperature unit to use; omit it for the city's usual unit."}
                    },
                    "required": ["location"],
                    "additionalProperties": false
                }
            }
        }),
        json!({
            "type": "function",
            "function": {
                "name": "get_current_weather",
                "description": "Get the current weather in a given location.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA."},
                        "unit": {"type": ["string", "null"], "enum": ["celsius", "fahrenheit", null], "description": "The temperature unit to use; omit it for the city's usual unit."}
                    },
                    "required": ["location", "unit"],
                    "additionalProperties": false
                },
                "strict": true
            }
        }),
    );
}

/// What a careful person would write by hand for the weather tool in strict mode, with the
/// same name, descriptions and constraints as the generated one.
const HAND_WRITTEN_STRICT_WEATHER: &str = r#"{"type":"function","function":{"name":"get_current_weather","description":"Get the current weather in a given location.","parameters":{"type":"object","properties":{"location":{"type":"string","description":"The city and state, e.g. San Francisco, CA."},"unit":{"type":["string","null"],"enum":["celsius","fahrenheit",null],"description":"The temperature unit to use; omit it for the city's usual unit."}},"required":["location","unit"],"additionalProperties":false},"strict":true}}"#;

#[test]
fn the_weather_definition_is_no_larger_than_a_hand_written_strict_one() {
    let registry = signatures::registry();
    let exported = registry.export(ToolFormat::OpenAiChat);
    let ours = exported
        .as_array()
        .unwrap()
        .iter()
        .find(|tool| tool["function"]["name"] == "get_current_weather")
        .expect("the weather tool is exported");
    let ours_text = serde_json::to_string(ours).unwrap();
    let hand_written: Value = serde_json::from_str(HAND_WRITTEN_STRICT_WEATHER).unwrap();

    // The comparison is fair only if both say the same: same schema verdicts on a sample.
    let ours_schema = jsonschema::draft202012::new(&ours["function"]["parameters"]).unwrap();
    let hand_schema =
        jsonschema::draft202012::new(&hand_written["function"]["parameters"]).unwrap();
    for arguments in [
        json!({"location": "Paris", "unit": "celsius"}),
        json!({"location": "Paris", "unit": null}),
        json!({"location": "Paris"}),
        json!({"location": "Paris", "unit": "kelvin"}),
        json!({"location": 3, "unit": null}),
        json!({"location": "Paris", "unit": null, "extra": 1}),
    ] {
        assert_eq!(
            ours_schema.is_valid(&arguments),
            hand_schema.is_valid(&arguments),
            "the two definitions disagree on {arguments}"
        );
    }
    assert_eq!(ours["function"]["strict"], json!(true));

    println!(
        "weather tool, compact: generated {} bytes, hand-written strict {} bytes",
        ours_text.len(),
        HAND_WRITTEN_STRICT_WEATHER.len()
    );
    assert!(
        ours_text.len() <= HAND_WRITTEN_STRICT_WEATHER.len(),
        "generated {} bytes > hand-written {} bytes:\n{ours_text}\n{HAND_WRITTEN_STRICT_WEATHER}",
        ours_text.len(),
        HAND_WRITTEN_STRICT_WEATHER.len()
    );
}

// ---------------------------------------------------------------------------------------
// One definition, in signature order

#[test]
fn the_definition_is_built_once() {
    let first = Tool::definition(&signatures::GetCurrentWeather);
    let second = Tool::definition(&signatures::GetCurrentWeather);
    assert!(std::ptr::eq(first, second));
    let registry = signatures::registry();
    assert!(std::ptr::eq(
        registry.definition("get_current_weather").unwrap(),
        first
    ));

    // Every tool: two registries hold the very same definitions.
    let other: ToolRegistry = signatures::registry();
    assert_eq!(registry.len(), other.len());
    for (a, b) in registry.definitions().zip(other.definitions()) {
        assert!(std::ptr::eq(a, b), "`{}` was built twice", a.name());
    }
}

fn keys(object: &Value) -> Vec<&str> {
    object
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

fn names(array: &Value) -> Vec<&str> {
    array
        .as_array()
        .expect("an array")
        .iter()
        .map(|name| name.as_str().expect("a name"))
        .collect()
}

#[test]
fn properties_are_in_signature_order_not_alphabetical() {
    let registry = signatures::registry();
    let exported = registry.export(ToolFormat::OpenAiChat);
    let plain = registry.export_with(ToolFormat::OpenAiChat, SchemaForm::Plain);
    for tools in [&exported, &plain] {
        let find = |name: &str| {
            tools
                .as_array()
                .unwrap()
                .iter()
                .find(|tool| tool["function"]["name"] == name)
                .map(|tool| tool["function"]["parameters"].clone())
                .unwrap()
        };

        let flight = find("book_flight");
        assert_eq!(
            keys(&flight["properties"]),
            ["to", "from", "date", "adults"]
        );
        assert_eq!(names(&flight["required"]), ["to", "from", "date", "adults"]);

        let event = find("create_event");
        let event = &event["properties"]["event"];
        assert_eq!(
            keys(&event["properties"]),
            ["title", "location", "attendees"]
        );
        assert_eq!(
            keys(&event["properties"]["location"]["properties"]),
            ["city", "floor"]
        );

        let profile = find("update_profile");
        assert_eq!(
            keys(&profile["properties"]["profile"]["properties"]),
            ["displayName", "e-mail", "birthYear"]
        );

        let files = find("list_files");
        assert_eq!(
            keys(&files["properties"]),
            ["path", "limit", "recursive", "order"]
        );
    }

    // And in the text sent to a provider.
    let text = exported.to_string();
    let at = |needle: &str| text.find(needle).unwrap();
    assert!(at(r#""to":{"#) < at(r#""from":{"#));
    assert!(at(r#""from":{"#) < at(r#""date":{"#));
    assert!(at(r#""date":{"#) < at(r#""adults":{"#));
    assert!(at(r#""title":{"#) < at(r#""location":{"type":"object""#));
}
