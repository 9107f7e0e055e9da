//! An OpenAI Chat Completions client for any compatible endpoint (OpenAI, Ollama, vLLM,
//! llama.cpp's server). Behind the `openai` feature.
