// Command inventory serves stock levels for the shop over HTTP.
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
)

type stockLevel struct {
	ProductID int `json:"productId"`
	Available int `json:"available"`
}

var stock = []stockLevel{
	{ProductID: 1, Available: 42},
	{ProductID: 2, Available: 7},
	{ProductID: 3, Available: 0},
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("encode response: %v", err)
	}
}

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("/stock", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, stock)
	})

	log.Printf("inventory listening on port %s", port)
	log.Fatal(http.ListenAndServe(":"+port, mux))
}
